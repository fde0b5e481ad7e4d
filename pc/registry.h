/* registry.h - who may use a site's broker, and as what: the site's registry file
 * (`<site>.users`, beside the site file or in callbell's state directory; mode 0600, or
 * 0640 for the group CB_SERVICE_GROUP where that exists: see share_with_service).
 * One INI file, parsed by Debian's libinih, one section per credential:
 *
 *   [hub]              user = callbell-hub-trattoria   password = $7$101$...
 *   [device e661410e]  tables = 3,4                   password = $7$101$...
 *   [staff anna]       password = $7$101$...
 *   [display wall]     password = $7$101$...
 *   [admin]            user = callbell-admin-trattoria password = $7$101$...
 *
 * Passwords are stored only as Mosquitto hashes (made by Debian's mosquitto_passwd);
 * `callbell broker` turns the file into Mosquitto's password_file and acl_file
 * (cb_registry_write_broker_files). A user name is its section's id (the hub's is
 * callbell-hub-<site>), and the broker makes it the client id too, so one credential
 * cannot take over another's session. Docs: README "Who may do what". */
#ifndef CALLBELL_PC_REGISTRY_H
#define CALLBELL_PC_REGISTRY_H

#include "callbell/protocol.h"

#include <stdbool.h>
#include <stddef.h>

#define CB_REGISTRY_MAX 2000   /* credentials per site */
#define CB_REGISTRY_TABLES 256 /* bytes of a device's table list ("3,4") */
#define CB_REGISTRY_HASH 200   /* bytes of a password hash */
#define CB_REGISTRY_USER 64    /* bytes of a user name (callbell-hub-<site>) */
#define CB_HUB_USER_PREFIX "callbell-hub-"
#define CB_ADMIN_USER_PREFIX "callbell-admin-"
/* The packaged services' system group (packaging/sysusers.d): a new registry file is
 * given to it, 0640, where it exists, so the hub and the broker can read it. */
#define CB_SERVICE_GROUP "callbell"

/* hub and admin are the site's own (one each, user callbell-hub-<site> and
 * callbell-admin-<site>): the admin credential is what `device list` and `device
 * remove` use, so they never take the hub's client id (and its session). */
typedef enum cb_registry_role {
    CB_REG_HUB = 0,
    CB_REG_DEVICE,
    CB_REG_STAFF,
    CB_REG_DISPLAY,
    CB_REG_ADMIN
} cb_registry_role;

typedef struct cb_registry_entry {
    cb_registry_role role;
    char user[CB_REGISTRY_USER];     /* the id; callbell-hub-<site> for the hub */
    char tables[CB_REGISTRY_TABLES]; /* devices: comma-separated table ids */
    char hash[CB_REGISTRY_HASH];     /* mosquitto_passwd hash ($7$... or $6$...) */
} cb_registry_entry;

typedef struct cb_registry {
    char path[4096];
    char site[CB_ID_SIZE];
    bool exists;          /* the file was there when loaded */
    cb_registry_entry *e; /* heap */
    size_t n, cap;
} cb_registry;

/* The registry file of `site`: env CALLBELL_REGISTRY, else <dir of site_file>/<site>.users
 * when a site file is in use (site_file non-NULL), else <state dir>/<site>.users.
 * 0 or -1 with err. */
int cb_registry_path(const char *site, const char *site_file, char *out, size_t cap, char *err, size_t err_cap);
/* Reads `path`; a missing file is an empty registry (exists false). 0, or -1 with
 * err "PATH:LINE: what is wrong" (unknown section, bad id, bad table, missing or
 * malformed password, a credential given twice). */
int cb_registry_load(const char *path, const char *site, cb_registry *r, char *err, size_t err_cap);
void cb_registry_free(cb_registry *r);
/* The same over text (len bytes, need not be NUL-terminated) named `path` in errors.
 * 0, or -1 with err and *r empty. */
int cb_registry_parse_text(const char *text, size_t len, const char *path, const char *site, cb_registry *r, char *err,
                           size_t err_cap);
/* Writes the file atomically (temp file, fsync, rename); a file that exists keeps its
 * group and owner/group read bits, a new one is 0600, or 0640 for CB_SERVICE_GROUP
 * where that group exists. Never any bit for others. 0 or -1 with err. */
int cb_registry_save(cb_registry *r, char *err, size_t err_cap);
/* The entry of `user` (any role), or NULL. */
const cb_registry_entry *cb_registry_find(const cb_registry *r, const char *user);
/* Adds an entry (user checked, unique). 0 or -1 with err. */
int cb_registry_add(cb_registry *r, cb_registry_role role, const char *user, const char *tables, const char *hash,
                    char *err, size_t err_cap);
/* Removes `user` of `role`. 0, or -1 when there is none. */
int cb_registry_remove(cb_registry *r, cb_registry_role role, const char *user);
/* Is `table` in the comma-separated list? */
bool cb_registry_tables_has(const char *tables, const char *table);
/* Mosquitto's files for the registry: `passwd` (user:hash lines) and `acl` (what each
 * role may read and write), both private like the registry, written atomically. 0 or -1 with err. */
int cb_registry_write_broker_files(const cb_registry *r, const char *passwd, const char *acl, char *err,
                                   size_t err_cap);
/* The hub's credentials file beside the registry: "<registry>.hub", one line
 * user:password (private like the registry), which `callbell hub` reads when its broker URL has no user. */
void cb_registry_hub_credentials_path(const cb_registry *r, char *out, size_t cap);
/* Makes sure the registry has the hub's and the admin's credentials: for each missing,
 * a new password, hashed into the registry (saved) and written plain to
 * "<registry>.hub" / "<registry>.admin" (private like the registry). 0 or -1. */
int cb_registry_ensure_hub(cb_registry *r, char *err, size_t err_cap);
/* The role's name ("device", ...). */
const char *cb_registry_role_name(cb_registry_role role);

/* A new random password (24 characters of a-z 0-9) into out[cap >= 25]. */
void cb_registry_new_password(char *out, size_t cap);
/* Hashes `password` for `user` with Debian's mosquitto_passwd (-U on a private temp
 * file, so the password never appears on a command line). 0 or -1 with err. */
int cb_registry_hash(const char *user, const char *password, char *hash, size_t cap, char *err, size_t err_cap);

#endif
