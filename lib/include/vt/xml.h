/* vt/xml.h - text in XML (the SVG plots of gan-train and map-eval). */
#ifndef VT_XML_H
#define VT_XML_H

#include <stdio.h>

/* s to f with <, >, & and " escaped; nonzero on a write error. */
int vt_xml_put_text(FILE *f, const char *s);

#endif
