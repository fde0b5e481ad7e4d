/* curl_lib.c - libcurl loaded at run time (why: curl_lib.h). */
#define _POSIX_C_SOURCE 200809L
#include "curl_lib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define CURL_SONAME "libcurl.so.4" /* Debian's libcurl4 (OpenSSL) */

static cb_curl api;
static void *lib;

/* dlsym gives an object pointer; POSIX guarantees it holds a function's address. */
#define LOAD(field, symbol)                                                                                            \
    do {                                                                                                               \
        void *sym = dlsym(lib, symbol);                                                                                \
        if (!sym) {                                                                                                    \
            missing = symbol;                                                                                          \
            goto err;                                                                                                  \
        }                                                                                                              \
        memcpy(&api.field, &sym, sizeof sym);                                                                          \
    } while (0)

const cb_curl *cb_curl_open(char *err, size_t err_cap)
{
    if (lib)
        return &api;
    const char *missing = NULL;
    lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, err_cap, "libcurl is not installed (Debian: sudo apt-get install libcurl4): %s", dlerror());
        return NULL;
    }
    LOAD(global_init, "curl_global_init");
    LOAD(global_cleanup, "curl_global_cleanup");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_reset, "curl_easy_reset");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_perform, "curl_easy_perform");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, err_cap, "cannot start libcurl (curl_global_init failed)");
        dlclose(lib);
        lib = NULL;
        return NULL;
    }
    return &api;
err:
    snprintf(err, err_cap, "%s has no %s: not the libcurl callbell was built for", CURL_SONAME, missing);
    dlclose(lib);
    lib = NULL;
    return NULL;
}

void cb_curl_close(void)
{
    if (!lib)
        return;
    api.global_cleanup();
    dlclose(lib);
    lib = NULL;
    memset(&api, 0, sizeof api);
}
