/* hub_registry.c - the hub's side of the site's roles: which device may press for
 * which table (pc/registry.h). The engine decides (its permit port); this reads the
 * file and answers the port. The broker enforces the same registry with its ACL; the
 * hub checks again so a broker without that ACL still cannot be used to spoof. */
#define _POSIX_C_SOURCE 200809L
#include "hub_internal.h"

#include "log.h"

#include <string.h>

static size_t device_count(const cb_registry *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->e[i].role == CB_REG_DEVICE;
    return n;
}

int cb_hub_registry_open(cb_hub *hub, char *err, size_t err_cap)
{
    const char *path = hub->opt->registry_path;
    if (!path)
        return 0;
    memset(&hub->registry_seen, 0, sizeof hub->registry_seen);
    stat(path, &hub->registry_seen);
    if (cb_registry_load(path, hub->opt->site, &hub->registry, err, err_cap) != 0)
        return -1;
    hub->registry_on = true;
    cb_log("registry %s: %zu devices; a press from a device not registered for its table is refused", path,
           device_count(&hub->registry));
    return 0;
}

void cb_hub_registry_watch(cb_hub *hub)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    if (!hub->registry_on || stat(hub->opt->registry_path, &st) != 0)
        return;
    const struct stat *old = &hub->registry_seen;
    if (st.st_ino == old->st_ino && st.st_size == old->st_size && st.st_mtim.tv_sec == old->st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == old->st_mtim.tv_nsec)
        return;
    hub->registry_seen = st;
    cb_registry next;
    char err[1024];
    if (cb_registry_load(hub->opt->registry_path, hub->opt->site, &next, err, sizeof err) != 0) {
        cb_log("%s; keeping the registry read before", err);
        return;
    }
    cb_registry_free(&hub->registry);
    hub->registry = next;
    cb_log("registry re-read: %zu devices", device_count(&next));
}

void cb_hub_registry_close(cb_hub *hub)
{
    cb_registry_free(&hub->registry);
    hub->registry_on = false;
}

cb_hub_permit cb_hub_registry_permit(void *ctx, const char *device, const char *table, const char **tables)
{
    const cb_hub *hub = ctx;
    const cb_registry_entry *e = cb_registry_find(&hub->registry, device);
    if (!e || e->role != CB_REG_DEVICE)
        return CB_PERMIT_UNKNOWN;
    *tables = e->tables;
    return cb_registry_tables_has(e->tables, table) ? CB_PERMIT_OK : CB_PERMIT_OTHER_TABLE;
}
