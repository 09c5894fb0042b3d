/*
 * SIP helpers shared by the dataplane test programs: the 200 OK a test
 * backend sends for a request, and PROXY v2 header detection.
 */
#ifndef SIPKTLS_TEST_SIP_MSG_H
#define SIPKTLS_TEST_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool	sip_is_request(const uint8_t *msg, size_t len);
bool	sip_is_method(const uint8_t *msg, size_t len, const char *method);
size_t	sip_response(const uint8_t *req, size_t len, int code, const char *reason,
	    char *out, size_t cap);
size_t	pp2_header_len(const uint8_t *buf, size_t len, bool *complete);

#endif
