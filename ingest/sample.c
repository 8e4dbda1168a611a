/*
 * sample: a log file cut into records exactly as the ingest pipeline cuts
 * them (reader, layout, splitter), for a command that wants the records
 * without storing them (`rules test`). No offsets, fingerprints or
 * database: ingest.c does those.
 */
#include "ingest/sample.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "ingest/layout.h"
#include "ingest/reader.h"
#include "ingest/splitter.h"

#define SAMPLE_BLOCK	(1024 * 1024)	/* bytes read at a time */

struct sample {
	struct reader	*rd;
	struct splitter	*sp;
	struct layout	*lay;		/* the named layout, ours; or NULL */
	char		*block;
	int		 at_end;	/* SPLITTER_MORE until read out */
};

struct sample *
sample_open(const char *path, const char *format, struct err *e)
{
	struct sample	*s = xcalloc(1, sizeof(*s));

	if (format != NULL && strcmp(format, "auto") != 0 &&
	    (s->lay = layout_by_name(format, e)) == NULL) {
		free(s);
		return NULL;
	}
	if ((s->rd = reader_open(path, e)) == NULL) {
		layout_free(s->lay);
		free(s);
		return NULL;
	}
	s->sp = splitter_new(s->lay);
	splitter_start(s->sp, 0, 1);
	s->block = xmalloc(SAMPLE_BLOCK);
	s->at_end = SPLITTER_MORE;
	return s;
}

int
sample_next(struct sample *s, const struct record **r, struct err *e)
{
	ssize_t	got;

	for (;;) {
		if ((*r = splitter_next(s->sp, s->at_end)) != NULL)
			return 1;
		if (s->at_end != SPLITTER_MORE)
			return 0;
		if ((got = reader_read(s->rd, s->block, SAMPLE_BLOCK,
		    e)) < 0) {
			s->at_end = SPLITTER_FLUSH_ALL;
			return -1;
		}
		if (got == 0)
			s->at_end = SPLITTER_FLUSH_ALL;
		else
			splitter_feed(s->sp, s->block, (size_t)got);
	}
}

const char *
sample_layout_name(const struct sample *s)
{
	const struct layout	*lay = splitter_layout(s->sp);

	return lay != NULL ? layout_name(lay) : "none";
}

void
sample_close(struct sample *s)
{
	if (s == NULL)
		return;
	splitter_free(s->sp);
	layout_free(s->lay);
	reader_close(s->rd);
	free(s->block);
	free(s);
}
