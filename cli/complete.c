/*
 * complete: shell completion. `aiosift completion bash|zsh|fish` prints a
 * small script; the script asks `aiosift __complete CWORD WORD...` for the
 * candidates of the word under the cursor. The answers come from the
 * command table and from each command's own --help (its usage lines and
 * option lines, the text --help prints from the same place getopt's table
 * sits), so a new command or option completes without an edit here. Only
 * option values --help cannot show (kinds, severities, layouts, output
 * formats, task and coroutine names from the database) are known here.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/err.h"
#include "common/xmalloc.h"
#include "ingest/layout.h"
#include "query/names.h"
#include "query/output.h"
#include "query/qdb.h"
#include "rules/ruleset.h"
#include "store/store.h"

#define COMPLETE_HELP_MAX	(256 * 1024)	/* bytes of a --help text */
#define COMPLETE_MAX_OPTS	96
#define COMPLETE_MAX_SUBS	24
#define COMPLETE_MAX_DB		200	/* task or coroutine names */
#define COMPLETE_FILES		":files"	/* the shell completes paths */

struct copt {
	char	 name[48];	/* "--db", "-q" */
	char	 metavar[24];	/* "FILE", "" */
	char	 alts[160];	/* "context|all|findings", "" */
	bool	 value;		/* takes the next word */
};

struct chelp {
	struct copt	opts[COMPLETE_MAX_OPTS];
	size_t		nopts;
	char		subs[COMPLETE_MAX_SUBS][24];	/* query findings ... */
	size_t		nsubs;
};

static const char bash_script[] =
    "# bash completion for aiosift, printed by `aiosift completion bash`.\n"
    "# The candidates come from `aiosift __complete`, which reads the\n"
    "# command table and each command's --help: nothing here to update.\n"
    "_aiosift()\n"
    "{\n"
    "\tlocal cur cword prog=${COMP_WORDS[0]} line\n"
    "\tlocal -a words c\n"
    "\tif declare -F _get_comp_words_by_ref >/dev/null; then\n"
    "\t\t_get_comp_words_by_ref -n =: cur words cword\n"
    "\telse\n"
    "\t\twords=(\"${COMP_WORDS[@]}\") cword=$COMP_CWORD\n"
    "\t\tcur=${COMP_WORDS[COMP_CWORD]}\n"
    "\tfi\n"
    "\t[[ $prog == */* && -x $prog ]] || prog=aiosift\n"
    "\tc=()\n"
    "\twhile IFS= read -r line; do c+=(\"$line\"); done < <(\"$prog\" \\\n"
    "\t    __complete \"$cword\" \"${words[@]}\" 2>/dev/null)\n"
    "\tif [[ ${c[0]-} == :files ]]; then\n"
    "\t\tCOMPREPLY=()\n"
    "\t\tcompopt -o default 2>/dev/null\n"
    "\t\treturn 0\n"
    "\tfi\n"
    "\tCOMPREPLY=(\"${c[@]}\")\n"
    "\tif declare -F __ltrim_colon_completions >/dev/null; then\n"
    "\t\t__ltrim_colon_completions \"$cur\"\n"
    "\tfi\n"
    "\treturn 0\n"
    "}\n"
    "complete -F _aiosift aiosift\n";

static const char zsh_script[] =
    "#compdef aiosift\n"
    "# zsh completion for aiosift, printed by `aiosift completion zsh`.\n"
    "# The candidates come from `aiosift __complete`, which reads the\n"
    "# command table and each command's --help: nothing here to update.\n"
    "_aiosift() {\n"
    "\tlocal -a c\n"
    "\tlocal prog=${words[1]}\n"
    "\t[[ $prog == */* && -x $prog ]] || prog=aiosift\n"
    "\tc=(\"${(@f)$(\"$prog\" __complete $((CURRENT - 1)) \"${words[@]}\" "
    "2>/dev/null)}\")\n"
    "\tif [[ ${c[1]-} == :files ]]; then\n"
    "\t\t_files\n"
    "\t\treturn\n"
    "\tfi\n"
    "\tc=(${c:#})\n"
    "\t(( ${#c} )) && compadd -- \"${c[@]}\"\n"
    "}\n"
    "if [[ ${zsh_eval_context[-1]-} == loadautofunc ]]; then\n"
    "\t_aiosift \"$@\"\n"
    "else\n"
    "\tcompdef _aiosift aiosift\n"
    "fi\n";

static const char fish_script[] =
    "# fish completion for aiosift, printed by `aiosift completion fish`.\n"
    "# The candidates come from `aiosift __complete`, which reads the\n"
    "# command table and each command's --help: nothing here to update.\n"
    "function __aiosift_complete\n"
    "    set -l words (commandline -opc)\n"
    "    set -l cur (commandline -ct)\n"
    "    set -l prog $words[1]\n"
    "    if not string match -q '*/*' -- $prog; or not test -x $prog\n"
    "        set prog aiosift\n"
    "    end\n"
    "    set -l out ($prog __complete (count $words) $words \"$cur\" "
    "2>/dev/null)\n"
    "    if test \"$out[1]\" = :files\n"
    "        __fish_complete_path \"$cur\"\n"
    "    else if test (count $out) -gt 0\n"
    "        printf '%s\\n' $out\n"
    "    end\n"
    "end\n"
    "complete -c aiosift -f -a '(__aiosift_complete)'\n";

static const char completion_usage[] =
    "usage: aiosift completion bash|zsh|fish\n";

static const char completion_help[] =
    "\n"
    "Print the completion script of a shell. It completes commands,\n"
    "options, option values (kinds, severities, formats, layouts) and,\n"
    "from the database (--db, else $AIOSIFT_DB, else ./aiosift.db), task\n"
    "and coroutine names. The script asks aiosift itself, which reads its\n"
    "command table and every command's --help: it never goes stale.\n"
    "`make install` puts the scripts where each shell looks.\n"
    "\n"
    "Examples:\n"
    "  source <(aiosift completion bash)          # in ~/.bashrc\n"
    "  aiosift completion zsh >~/.zfunc/_aiosift  # with fpath+=~/.zfunc\n"
    "  aiosift completion fish >~/.config/fish/completions/aiosift.fish\n"
    "\n"
    "Exit status: 0 ok, 2 usage error.\n";

int
cmd_completion(int argc, char *argv[])
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("%s%s", completion_usage, completion_help);
		return STATUS_OK;
	}
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		fputs(bash_script, stdout);
	else if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		fputs(zsh_script, stdout);
	else if (argc == 2 && strcmp(argv[1], "fish") == 0)
		fputs(fish_script, stdout);
	else {
		fputs("aiosift: completion: name one shell: bash, zsh or "
		    "fish\n", stderr);
		fputs(completion_usage, stderr);
		return STATUS_USAGE;
	}
	return fflush(stdout) == EOF ? STATUS_INPUT : STATUS_OK;
}

/* What c->run prints for --help (stdout; stderr dropped), or NULL. The
 * caller frees it. */
static char *
complete_help_text(const struct command *c)
{
	char	*argv[] = { NULL, "--help", NULL };
	char	*text = NULL;
	FILE	*tmp = NULL;
	int	 out = -1, errfd = -1, null = -1;
	size_t	 n;

	argv[0] = (char *)c->name;
	fflush(stdout);
	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (out = dup(STDOUT_FILENO)) == -1 ||
	    (errfd = dup(STDERR_FILENO)) == -1 ||
	    (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		goto done;
	if (dup2(fileno(tmp), STDOUT_FILENO) == -1 ||
	    dup2(null, STDERR_FILENO) == -1)
		goto restore;
	optind = 0;		/* glibc: start getopt afresh */
	(void)c->run(2, argv);
	fflush(stdout);
	fflush(stderr);
restore:
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	text = xmalloc(COMPLETE_HELP_MAX + 1);
	rewind(tmp);
	n = fread(text, 1, COMPLETE_HELP_MAX, tmp);
	text[n] = '\0';
done:
	if (tmp != NULL)
		fclose(tmp);
	if (out != -1)
		close(out);
	if (errfd != -1)
		close(errfd);
	if (null != -1)
		close(null);
	return text;
}

static bool
complete_lower(int ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool
complete_upper(int ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static struct copt *
complete_opt(struct chelp *h, const char *name, size_t len)
{
	size_t	i;

	if (len >= sizeof(h->opts[0].name))
		return NULL;
	for (i = 0; i < h->nopts; i++)
		if (strlen(h->opts[i].name) == len &&
		    memcmp(h->opts[i].name, name, len) == 0)
			return &h->opts[i];
	if (h->nopts == COMPLETE_MAX_OPTS)
		return NULL;
	memset(&h->opts[h->nopts], 0, sizeof(h->opts[0]));
	memcpy(h->opts[h->nopts].name, name, len);
	return &h->opts[h->nopts++];
}

/* One option mention at s ("--keep WHAT", "--keep context|all", "-q,"):
 * record it and whether, and with which values, it takes a word. */
static void
complete_mention(struct chelp *h, const char *s, size_t len)
{
	struct copt	*o = complete_opt(h, s, len);
	const char	*v = s + len, *e;

	if (o == NULL)
		return;
	if (*v == '=') {
		o->value = true;
		return;
	}
	if (*v != ' ')
		return;
	v++;
	e = v;
	if (complete_upper(*v)) {
		while (complete_upper(*e) || *e == '_')
			e++;
		o->value = true;
		if (o->metavar[0] == '\0' && (size_t)(e - v) <
		    sizeof(o->metavar))
			memcpy(o->metavar, v, (size_t)(e - v));
		return;
	}
	while (complete_lower(*e) || *e == '|' || *e == '-')
		e++;
	if (complete_lower(*v) && memchr(v, '|', (size_t)(e - v)) != NULL) {
		o->value = true;
		if ((size_t)(e - v) < sizeof(o->alts))
			memcpy(o->alts, v, (size_t)(e - v));
	}
}

/* Whether a short option at p stands where options are listed: first
 * on its line, or in a usage's "[-q | -v]"; not "tail -F" in prose. */
static bool
complete_short_at(const char *line, const char *p)
{
	const char	*q = line;

	while (q < p && *q == ' ')
		q++;
	return q == p || p[-1] == '[' || (p - line >= 2 && p[-1] == ' ' &&
	    p[-2] == '|');
}

/* The options and subcommands that text, a command's --help, shows:
 * in its usage lines and its option lines before "Examples:". */
static void
complete_parse(struct chelp *h, const char *name, char *text)
{
	char	*cut, *line, *next, *p, *w;
	size_t	 n, len;
	bool	 usage = true;

	memset(h, 0, sizeof(*h));
	if ((cut = strstr(text, "\nExamples:")) != NULL)
		cut[1] = '\0';
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			usage = false;
		/* "usage: aiosift query findings|incidents|..." */
		if (usage && (p = strstr(line, "aiosift ")) != NULL &&
		    strncmp(p + 8, name, strlen(name)) == 0 &&
		    p[8 + strlen(name)] == ' ') {
			w = p + 9 + strlen(name);
			while (complete_lower(*w) && h->nsubs <
			    COMPLETE_MAX_SUBS) {
				for (n = 0; complete_lower(w[n]); n++)
					;
				if (w[n] != ' ' && w[n] != '|' &&
				    w[n] != '\0')
					break;
				if (n < sizeof(h->subs[0])) {
					memcpy(h->subs[h->nsubs], w, n);
					h->subs[h->nsubs++][n] = '\0';
				}
				w += n;
				if (*w != '|')
					break;
				w++;
			}
		}
		/* options: in the usage, and on lines that list them
		 * ("  -q, --quiet  ..."), not in prose about others' */
		for (p = line; *p == ' '; p++)
			;
		if (!usage && *p != '-')
			continue;
		for (p = line; (p = strchr(p, '-')) != NULL; p += len) {
			len = 1;
			if (p != line && strchr(" [(,|", p[-1]) == NULL)
				continue;
			if (p[1] == '-' && complete_lower(p[2])) {
				for (len = 3; complete_lower(p[len]) ||
				    (p[len] >= '0' && p[len] <= '9') ||
				    p[len] == '-'; len++)
					;
				while (p[len - 1] == '-')
					len--;
				complete_mention(h, p, len);
			} else if ((complete_lower(p[1]) ||
			    complete_upper(p[1])) && (p[2] == ',' ||
			    p[2] == ' ' || p[2] == ']' || p[2] == '\0') &&
			    complete_short_at(line, p)) {
				len = 2;
				complete_mention(h, p, len);
			}
		}
	}
	complete_opt(h, "--help", 6);
}

static void
complete_put(const char *cand, const char *cur)
{
	if (strncmp(cand, cur, strlen(cur)) == 0)
		printf("%s\n", cand);
}

static void
complete_list(const char *const *v, const char *cur)
{
	for (; *v != NULL; v++)
		complete_put(*v, cur);
}

/* "a|b|c" as candidates */
static void
complete_alts(const char *alts, const char *cur)
{
	char	 buf[sizeof(((struct copt *)0)->alts)], *w, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", alts);
	for (w = strtok_r(buf, "|", &save); w != NULL;
	    w = strtok_r(NULL, "|", &save))
		complete_put(w, cur);
}

/* A name a shell can take unquoted: no blank, quote, $, ;, glob or
 * control character reaches the command line from a log. */
static bool
complete_safe(const unsigned char *s)
{
	if (*s == '\0' || *s == '-')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("_.:#@/+=,%-", *s)))
			return false;
	return true;
}

struct complete_names {
	int	n;
};

static int
complete_name(void *arg, const char *name)
{
	struct complete_names	*cn = arg;

	if (name != NULL && complete_safe((const unsigned char *)name)) {
		printf("%s\n", name);
		cn->n++;
	}
	return cn->n >= COMPLETE_MAX_DB;
}

/* Task or coroutine names of the database the command line names. */
static void
complete_db(char *words[], int nwords, const char *column, const char *cur)
{
	struct complete_names	 cn = { 0 };
	const char		*db = NULL;
	struct store		*s;
	struct err		 e;
	bool			 writable;
	int			 i;

	for (i = 2; i < nwords; i++)
		if (strcmp(words[i], "--db") == 0 && i + 1 < nwords)
			db = words[i + 1];
		else if (strncmp(words[i], "--db=", 5) == 0)
			db = words[i] + 5;
	err_clear(&e);
	if ((s = qdb_open(store_path(db), false, &writable, &e)) == NULL)
		return;
	/* completion prints candidates or nothing: an error (like no
	 * database) offers none */
	(void)query_names(s, strcmp(column, "task") != 0, cur,
	    complete_name, &cn, &e);
	store_close(s);
}

/* The values of option o of command cmd. */
static void
complete_values(const char *cmd, const struct copt *o, char *words[],
    int nwords, const char *cur)
{
	static const char *const sevs[] = { "info", "warning", "error",
	    "critical", NULL };
	static const char *const colors[] = { "auto", "always", "never",
	    NULL };
	static const char *const keeps[] = { "context", "all", "findings",
	    NULL };
	static const char *const outs[] = { "table", "json", "ndjson", "csv",
	    NULL };
	const char	*n = o->name + 2;
	enum output_format f;
	size_t		 i;

	if (o->alts[0] != '\0')
		complete_alts(o->alts, cur);
	else if (strcmp(n, "kind") == 0)
		complete_list(rule_kinds, cur);
	else if (strcmp(n, "severity") == 0 || strcmp(n, "fail-on") == 0)
		complete_list(sevs, cur);
	else if (strcmp(n, "color") == 0 || strcmp(n, "colour") == 0)
		complete_list(colors, cur);
	else if (strcmp(n, "keep") == 0)
		complete_list(keeps, cur);
	else if (strcmp(n, "layout") == 0 || (strcmp(n, "format") == 0 &&
	    (strcmp(cmd, "ingest") == 0 || strcmp(cmd, "rules") == 0)))
		complete_list(layout_names, cur);
	else if (strcmp(n, "format") == 0) {
		for (i = 0; outs[i] != NULL; i++)
			if (output_format_parse(outs[i], &f))
				complete_put(outs[i], cur);
	} else if (strcmp(n, "task") == 0 || strcmp(n, "coro") == 0)
		complete_db(words, nwords, n, cur);
	else if (strcmp(o->metavar, "FILE") == 0 ||
	    strcmp(o->metavar, "PATH") == 0 || strcmp(o->metavar, "DIR") == 0)
		printf("%s\n", COMPLETE_FILES);
}

int
complete_words(int argc, char *argv[], const struct command *cmds,
    size_t ncmds)
{
	static const char *const shells[] = { "bash", "zsh", "fish", NULL };
	static struct chelp	 h;
	const struct command	*c = NULL;
	struct copt		*o;
	char			**words = argv + 1, *text, *endp;
	const char		*cur, *prev;
	long			 cword;
	int			 nwords = argc - 1, i;
	size_t			 k;
	bool			 positional = false;

	if (argc < 2)
		return STATUS_USAGE;
	cword = strtol(argv[0], &endp, 10);
	if (*endp != '\0' || cword < 1 || cword > nwords)
		return STATUS_USAGE;
	cur = cword < nwords ? words[cword] : "";
	if (cword == 1) {
		for (k = 0; k < ncmds; k++)
			complete_put(cmds[k].name, cur);
		complete_put("help", cur);
		complete_put("--help", cur);
		complete_put("--version", cur);
		return STATUS_OK;
	}
	if (strcmp(words[1], "help") == 0) {
		for (k = 0; cword == 2 && k < ncmds; k++)
			complete_put(cmds[k].name, cur);
		return STATUS_OK;
	}
	if (strcmp(words[1], "completion") == 0) {
		if (cword == 2) {
			complete_list(shells, cur);
			complete_put("--help", cur);
		}
		return STATUS_OK;
	}
	for (k = 0; k < ncmds; k++)
		if (strcmp(words[1], cmds[k].name) == 0)
			c = &cmds[k];
	if (c == NULL || (text = complete_help_text(c)) == NULL)
		return STATUS_OK;
	complete_parse(&h, c->name, text);
	free(text);
	prev = words[cword - 1];
	for (k = 0; k < h.nopts; k++) {
		o = &h.opts[k];
		if (o->value && strcmp(prev, o->name) == 0) {
			complete_values(c->name, o, words, nwords, cur);
			return STATUS_OK;
		}
	}
	if (cur[0] == '-') {
		for (k = 0; k < h.nopts; k++)
			complete_put(h.opts[k].name, cur);
		return STATUS_OK;
	}
	/* a subcommand, if none was given yet; else a path */
	for (i = 2; i < cword; i++) {
		if (words[i][0] != '-') {
			positional = true;
			break;
		}
		for (k = 0; k < h.nopts; k++)
			if (h.opts[k].value && strcmp(words[i],
			    h.opts[k].name) == 0)
				i++;
	}
	if (h.nsubs > 0 && !positional) {
		for (k = 0; k < h.nsubs; k++)
			complete_put(h.subs[k], cur);
		return STATUS_OK;
	}
	printf("%s\n", COMPLETE_FILES);
	return STATUS_OK;
}
