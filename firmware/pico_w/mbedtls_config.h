/* mbedtls_config.h - Mbed TLS 3.x configuration, used only when CALLBELL_CA_CERT is
 * set: a TLS 1.2 client that verifies the broker against one CA certificate (PEM)
 * and sends SNI (HiveMQ Cloud requires it). ECDHE key exchange with RSA or ECDSA
 * server certificates, AES-GCM or AES-CBC. Modelled on pico-examples'
 * pico_w/wifi/mbedtls_config_examples_common.h (BSD-3-Clause), minus the server side. */
#ifndef CALLBELL_MBEDTLS_CONFIG_H
#define CALLBELL_MBEDTLS_CONFIG_H

#include <limits.h> /* some mbedtls sources use INT_MAX without including it */

/* Platform: entropy from pico_rand (pico_mbedtls provides mbedtls_hardware_poll). */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_HAVE_TIME            /* the SDK's altcp_tls_mbedtls.c uses session->start */
#define MBEDTLS_PLATFORM_MS_TIME_ALT /* no time.h clock on the Pico; nothing we use calls it */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* TLS 1.2 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048 /* we send small messages; receive stays 16 KB */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_RSA_ENABLED

/* Ciphers and hashes */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* Public keys */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* Certificates (PEM) */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

#endif
