/* xml.c - text in XML. */
#include "vt/xml.h"

int vt_xml_put_text(FILE *f, const char *s)
{
	int bad = 0;

	for (; *s; s++)
		bad |= (*s == '<' ? fputs("&lt;", f) : *s == '>' ?
			fputs("&gt;", f) : *s == '&' ? fputs("&amp;", f) :
			*s == '"' ? fputs("&quot;", f) : fputc(*s, f)) < 0;
	return bad;
}
