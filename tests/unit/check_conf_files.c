/*
 * The sample configurations under tests/conf: each file in bad/ is rejected
 * with exactly the messages its "! expect: " lines list, in order; each
 * file in good/ is taken with exactly the warnings its "! expect-warning: "
 * lines list. "@FILE@" in an expectation stands for the file's path.
 * The files are found under $srcdir (default ".").
 */
#include "autoconf.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define EXPECT_ERR	"! expect: "
#define EXPECT_WARN	"! expect-warning: "

struct strings {
	size_t	  n;
	char	**v;
};

struct sample {
	char	*path;
	bool	 good;
};

static struct sample	*samples;
static size_t		 nsamples, nbad, ngood;

static void
strings_add(struct strings *s, const char *text)
{
	char **grown = realloc(s->v, (s->n + 1) * sizeof(char *));

	if (grown == NULL || (grown[s->n] = strdup(text)) == NULL)
		ck_abort_msg("out of memory");
	s->v = grown;
	s->n++;
}

static void
strings_free(struct strings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static void
collect(void *arg, enum conf_severity sev, const char *msg)
{
	(void)sev;
	strings_add(arg, msg);
}

/* The expectation text with every "@FILE@" replaced by path. */
static char *
substitute(const char *text, const char *path)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&out, &len);
	const char *at;

	ck_assert_ptr_nonnull(fp);
	while ((at = strstr(text, "@FILE@")) != NULL) {
		fwrite(text, 1, (size_t)(at - text), fp);
		fputs(path, fp);
		text = at + 6;
	}
	fputs(text, fp);
	fclose(fp);
	return out;
}

/* The "! expect: " and "! expect-warning: " lines, and how many of each. */
static void
read_expectations(const char *path, struct strings *want, size_t *nerr,
    size_t *nwarn)
{
	FILE	*fp = fopen(path, "r");
	char	*line = NULL, *text;
	size_t	 cap = 0;
	ssize_t	 n;

	ck_assert_msg(fp != NULL, "%s: cannot open", path);
	*nerr = *nwarn = 0;
	while ((n = getline(&line, &cap, fp)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, EXPECT_ERR, strlen(EXPECT_ERR)) == 0) {
			text = substitute(line + strlen(EXPECT_ERR), path);
			(*nerr)++;
		} else if (strncmp(line, EXPECT_WARN, strlen(EXPECT_WARN)) == 0) {
			text = substitute(line + strlen(EXPECT_WARN), path);
			(*nwarn)++;
		} else
			continue;
		strings_add(want, text);
		free(text);
	}
	free(line);
	fclose(fp);
}

/* Prints the expected and the reported messages side by side; false if they differ. */
static bool
compare(const char *path, const struct strings *want, const struct strings *got)
{
	bool same = want->n == got->n;

	for (size_t i = 0; same && i < want->n; i++)
		same = strcmp(want->v[i], got->v[i]) == 0;
	if (same)
		return true;
	fprintf(stderr, "%s: the messages differ from its expectations\n", path);
	for (size_t i = 0; i < want->n || i < got->n; i++) {
		const char *w = i < want->n ? want->v[i] : NULL;
		const char *g = i < got->n ? got->v[i] : NULL;

		if (w != NULL && g != NULL && strcmp(w, g) == 0)
			continue;
		fprintf(stderr, "  message %zu\n    expected: %s\n    reported: %s\n",
		    i + 1, w ? w : "(nothing)", g ? g : "(nothing)");
	}
	return false;
}

START_TEST(sample_file)
{
	const struct sample	*s = &samples[_i];
	struct strings		 want = { 0 }, got = { 0 };
	struct config		*cfg;
	size_t			 nerr, nwarn;
	bool			 same;

	read_expectations(s->path, &want, &nerr, &nwarn);
	if (s->good)
		ck_assert_msg(nerr == 0, "%s: a good file with \"! expect: \" lines",
		    s->path);
	else
		ck_assert_msg(nerr > 0, "%s: a bad file without \"! expect: \" lines",
		    s->path);
	cfg = config_load(s->path, collect, &got);
	same = compare(s->path, &want, &got);
	if (s->good)
		ck_assert_msg(cfg != NULL, "%s: rejected (first message: %s)", s->path,
		    got.n ? got.v[0] : "none");
	else
		ck_assert_msg(cfg == NULL, "%s: accepted, expected rejected", s->path);
	ck_assert_msg(same, "%s: the messages differ from its expectations (see "
	    "above)", s->path);
	config_free(cfg);
	strings_free(&want);
	strings_free(&got);
}
END_TEST

START_TEST(sample_counts)
{
	static const char *const required[] = {
		"guide-example.conf", "tls-default.conf", "tls-exclusive.conf",
		"tls-minimum.conf",
	};

	ck_assert_uint_ge(nbad, 35);
	for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
		bool found = false;

		for (size_t i = 0; i < nsamples && !found; i++)
			found = samples[i].good && strcmp(strrchr(samples[i].path, '/') + 1,
			    required[r]) == 0;
		ck_assert_msg(found, "no good/%s", required[r]);
	}
	ck_assert_uint_ge(ngood, 5);
}
END_TEST

static int
is_conf(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

static size_t
add_dir(const char *srcdir, const char *sub, bool good)
{
	struct dirent	**names;
	char		 *dir;
	int		  n;

	if (asprintf(&dir, "%s/tests/conf/%s", srcdir, sub) < 0)
		abort();
	if ((n = scandir(dir, &names, is_conf, alphasort)) < 0) {
		fprintf(stderr, "%s: cannot read the directory\n", dir);
		free(dir);
		return 0;
	}
	samples = realloc(samples, (nsamples + (size_t)n) * sizeof(*samples));
	if (samples == NULL)
		abort();
	for (int i = 0; i < n; i++) {
		struct sample *s = &samples[nsamples++];

		if (asprintf(&s->path, "%s/%s", dir, names[i]->d_name) < 0)
			abort();
		s->good = good;
		free(names[i]);
	}
	free(names);
	free(dir);
	return (size_t)n;
}

int
main(void)
{
	const char	*srcdir = getenv("srcdir");
	Suite		*s = suite_create("configuration files");
	TCase		*bad = tcase_create("bad"), *good = tcase_create("good");
	TCase		*counts = tcase_create("counts");
	SRunner		*sr;
	size_t		 first_good;
	int		 failed;

	if (srcdir == NULL || *srcdir == '\0')
		srcdir = ".";
	nbad = add_dir(srcdir, "bad", false);
	first_good = nsamples;
	ngood = add_dir(srcdir, "good", true);
	tcase_add_loop_test(bad, sample_file, 0, (int)first_good);
	tcase_add_loop_test(good, sample_file, (int)first_good, (int)nsamples);
	tcase_add_test(counts, sample_counts);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	suite_add_tcase(s, counts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < nsamples; i++)
		free(samples[i].path);
	free(samples);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
