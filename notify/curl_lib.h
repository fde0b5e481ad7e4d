/* curl_lib.h - libcurl, loaded when `callbell notify` starts instead of linked into
 * the one callbell binary.
 *
 * Linked, libcurl and the two dozen libraries it needs (GnuTLS, Kerberos, LDAP, SSH,
 * ...) were mapped and initialised in every callbell process: 5 MB of the hub's
 * memory, a fifth of it at 100,000 tables, and start-up work for every `callbell
 * press`, though only the notify bridge sends HTTP. Loaded by soname (Debian's
 * libcurl4, in the package's Depends), with the API of <curl/curl.h>. */
#ifndef CALLBELL_NOTIFY_CURL_LIB_H
#define CALLBELL_NOTIFY_CURL_LIB_H

#include <curl/curl.h>
#include <stddef.h>

typedef struct cb_curl {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *curl);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *curl);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
} cb_curl;

/* Loads libcurl and runs curl_global_init, once (later calls return the same). Call
 * before any thread uses it. NULL with err ("libcurl is not installed ...") when it
 * cannot be loaded or started. */
const cb_curl *cb_curl_open(char *err, size_t err_cap);
/* curl_global_cleanup and unload; cb_curl_open may load it again. */
void cb_curl_close(void);

#endif
