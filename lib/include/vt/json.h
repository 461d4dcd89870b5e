/* vt/json.h - small helpers for tools that write JSON by hand. */
#ifndef VT_JSON_H
#define VT_JSON_H

#include <stdio.h>

/* Write s as a JSON string literal: quotes, backslash and control
 * characters escaped; other bytes (UTF-8) as they are. */
void vt_json_put_string(FILE *f, const char *s);

#endif
