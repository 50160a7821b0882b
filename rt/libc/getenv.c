/* SPDX-License-Identifier: MIT */
/*
 * getenv. Kite has no process environment; the command-line option
 * kite.env="NAME=VALUE NAME2=VALUE2" stands for it (the double quotes group
 * the words into one option). An early init hook copies the value and cuts
 * it into words once; getenv only reads afterwards, so any thread may call it.
 * A word without '=' is ignored; of two words with the same name the first wins.
 */
#include <stdlib.h>
#include <string.h>

#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/init.h>

KITE_PARAM(env, string, "", "the environment for getenv: \"NAME=VALUE NAME2=VALUE2\"");

static char env_words[KITE_CMDLINE_MAX];
static size_t env_len;

static int env_init(void)
{
    env_len = strlcpy(env_words, param_env, sizeof(env_words));
    if (env_len >= sizeof(env_words)) {
        env_len = sizeof(env_words) - 1;
    }
    for (size_t i = 0; i < env_len; i++) {
        if (env_words[i] == ' ' || env_words[i] == '\t') {
            env_words[i] = '\0';
        }
    }
    return 0;
}
KITE_INIT(env_init, KITE_INIT_EARLY);

char *getenv(const char *name)
{
    size_t name_len = strlen(name);

    if (name_len == 0 || strchr(name, '=')) {
        return NULL;
    }
    for (size_t i = 0; i < env_len; i += strlen(env_words + i) + 1) {
        char *word = env_words + i;

        if (strncmp(word, name, name_len) == 0 && word[name_len] == '=') {
            return word + name_len + 1;
        }
    }
    return NULL;
}
