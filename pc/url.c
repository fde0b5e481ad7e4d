/* url.c - parse broker URLs given on the command line or in CALLBELL_BROKER. */
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *text, const char *why)
{
    snprintf(err, cap, "bad broker URL '%s': %s", text, why);
    return -1;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Copies n bytes of a URL's user or password, decoding %XX (a password with '@', ':'
 * or a space must be written so). 0, or -1 on a bad escape or overflow. */
static int decode_userinfo(const char *src, size_t n, char *dst, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++, k++) {
        if (k + 1 >= cap)
            return -1;
        if (src[i] != '%') {
            dst[k] = src[i];
            continue;
        }
        int hi = i + 2 < n ? hex_digit(src[i + 1]) : -1, lo = i + 2 < n ? hex_digit(src[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        dst[k] = (char)(hi * 16 + lo);
        i += 2;
    }
    dst[k] = '\0';
    return 0;
}

int cb_url_parse(const char *text, cb_url *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    if (strncmp(p, "mqtt://", 7) == 0) {
        p += 7;
        out->port = 1883;
    } else if (strncmp(p, "mqtts://", 8) == 0) {
        p += 8;
        out->tls = true;
        out->port = 8883;
    } else if (strstr(p, "://")) {
        return fail(err, err_cap, text, "scheme must be mqtt:// or mqtts:// (WebSockets are for the web board)");
    } else {
        out->port = 1883; /* bare host[:port] is accepted, as the firmware takes it */
    }
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = (size_t)((colon ? colon : at) - p);
        if (decode_userinfo(p, ulen, out->user, sizeof out->user) != 0)
            return fail(err, err_cap, text, "user name too long or a bad %XX escape in it");
        if (colon && decode_userinfo(colon + 1, (size_t)(at - colon - 1), out->pass, sizeof out->pass) != 0)
            return fail(err, err_cap, text, "password too long or a bad %XX escape in it (write '%' as %25)");
        p = at + 1;
    }
    const char *host_end;
    const char *rest;
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (!host_end)
            return fail(err, err_cap, text, "missing ']' after IPv6 address");
        p++;
        rest = host_end + 1;
    } else {
        host_end = p + strcspn(p, ":/");
        rest = host_end;
    }
    size_t hlen = (size_t)(host_end - p);
    if (hlen == 0)
        return fail(err, err_cap, text, "no host");
    if (hlen >= sizeof out->host)
        return fail(err, err_cap, text, "host name too long");
    memcpy(out->host, p, hlen);
    if (*rest == ':') {
        char *end;
        long port = strtol(rest + 1, &end, 10);
        if (end == rest + 1 || port < 1 || port > 65535)
            return fail(err, err_cap, text, "port must be 1-65535");
        out->port = (int)port;
        rest = end;
    }
    if (*rest == '/')
        rest++;
    if (*rest != '\0')
        return fail(err, err_cap, text, "unexpected text after host:port");
    return 0;
}

void cb_url_format(const cb_url *url, char *buf, size_t cap)
{
    bool v6 = strchr(url->host, ':') != NULL;
    snprintf(buf, cap, "%s://%s%s%s%s%s:%d", url->tls ? "mqtts" : "mqtt", url->user, url->user[0] ? "@" : "",
             v6 ? "[" : "", url->host, v6 ? "]" : "", url->port);
}

int cb_mqtt_version_parse(const char *text, cb_mqtt_version *out)
{
    if (strcmp(text, "3") == 0 || strcmp(text, "3.1.1") == 0)
        *out = CB_MQTT_3;
    else if (strcmp(text, "5") == 0)
        *out = CB_MQTT_5;
    else if (strcmp(text, "auto") == 0)
        *out = CB_MQTT_AUTO;
    else
        return -1;
    return 0;
}

bool cb_http_url_ok(const char *s)
{
    size_t scheme = strncmp(s, "http://", 7) == 0 ? 7 : strncmp(s, "https://", 8) == 0 ? 8 : 0;
    if (!scheme || !s[scheme] || s[scheme] == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}
