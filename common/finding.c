/*
 * finding: the findings list handed from rules/ to the ingest pipeline and
 * the store.
 */
#include "common/finding.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

struct finding *
finding_add(struct finding_list *l)
{
	struct finding	*f;

	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->duration_us = -1;
	return f;
}

void
finding_release(struct finding *f)
{
	if (f == NULL)
		return;
	free(f->task);
	free(f->coro);
	free(f->exception);
	free(f->location);
	free(f->message);
	memset(f, 0, sizeof(*f));
	f->duration_us = -1;
}

void
finding_list_clear(struct finding_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		finding_release(&l->v[i]);
	l->n = 0;
}

void
finding_list_release(struct finding_list *l)
{
	if (l == NULL)
		return;
	finding_list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
