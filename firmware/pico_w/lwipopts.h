/* lwipopts.h - lwIP configuration for the callbell Pico W firmware.
 *
 * One TCP connection (MQTT, optionally over TLS), DHCP and DNS, no sockets. The
 * general values follow pico-examples' pico_w/wifi/lwipopts_examples_common.h
 * (BSD-3-Clause); the MQTT ones are sized for callbell. Option reference:
 * https://www.nongnu.org/lwip/2_1_x/group__lwip__opts.html */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

/* Raw API, no OS: pico_cyw43_arch_lwip_threadsafe_background runs lwIP from a
 * low-priority interrupt, under the cyw43 lock. */
#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define MEM_LIBC_MALLOC 0 /* lwIP's own heap: libc malloc is not interrupt-safe */
#define MEM_ALIGNMENT 4

/* lwIP heap: TCP segments being sent (+ the TLS state when TLS is on). */
#if CALLBELL_TLS
#define MEM_SIZE 8000
#else
#define MEM_SIZE 4000
#endif
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_ARP_QUEUE 10
/* Received frames. A table device receives little (a few retained states, PINGRESP,
 * PUBACKs): 16 full-size buffers instead of pico-examples' 24 leaves 12 KB of RAM. */
#define PBUF_POOL_SIZE 16

#define LWIP_IPV4 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DNS 1
#define IP_REASSEMBLY 0 /* MQTT over TCP: segments never need IP fragments */
#define IP_FRAG 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DHCP_DOES_ACD_CHECK 0

#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define TCP_QUEUE_OOSEQ 0 /* little traffic: an out-of-order segment is simply resent */

#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_TX_SINGLE_PBUF 1
#define LWIP_CHKSUM_ALGORITHM 3

/* No statistics, no debug output, no assertions: the pico-sdk maps a failed lwIP
 * assertion to panic(), which would stop a table device for good (the firmware
 * never panics; lwIP's LWIP_ERROR checks, which return errors, stay). Also saves
 * ~10 KB of flash. */
#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define LWIP_NOASSERT 1

/* MQTT client (lwip/apps/mqtt.c). Its cyclic timer (keepalive, request timeouts) is
 * one more sys_timeout. */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1)
/* Requests waiting for an answer: "online", info, one SUBSCRIBE per table (up to 8),
 * the hub's answers and hub/status (2), and CB_DEVICE_INFLIGHT (4) presses: 16, and
 * two to spare. */
#define MQTT_REQ_MAX_IN_FLIGHT 18
/* Output buffer: the CONNECT with will and credentials, then the subscriptions, the
 * info message and the presses in flight (<= ~300 bytes each). When it is full,
 * mqtt_publish says ERR_MEM and the core tries again on a later poll. */
#define MQTT_OUTPUT_RINGBUF_SIZE 1024
/* Incoming topic + header must fit here, or lwIP drops the connection; callbell
 * topics are at most 128 bytes (docs/protocol.md). */
#define MQTT_VAR_HEADER_BUFFER_LEN 160

#if CALLBELL_TLS
#define LWIP_ALTCP 1
#define LWIP_ALTCP_TLS 1
#define LWIP_ALTCP_TLS_MBEDTLS 1
/* lwIP's default is MBEDTLS_SSL_VERIFY_OPTIONAL: accept any certificate. No. */
#define ALTCP_MBEDTLS_AUTHMODE MBEDTLS_SSL_VERIFY_REQUIRED
/* A TLS record is up to 16 KB: the receive window must hold one. */
#undef TCP_WND
#define TCP_WND 16384
#endif

#endif
