/* plot-script.c - the gnuplot script of migmeter plot: terminal, panels, bands and markers, from plot_data. */
#include "plot.h"

#include <math.h>
#include <string.h>

/* One colour per migration band (cycled), and one per role. */
static const char *const band_colours[] = { "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
					    "#76b7b2", "#edc948", "#9c755f", "#e15759" };
#define NBAND (sizeof(band_colours) / sizeof(band_colours[0]))
#define C_MAIN "#1f4e9c"
#define C_MULTIFD "#f28e2b"
#define C_NBD "#59a14f"
#define C_OTHER "#9d9d9d"
#define C_LOSS "#d62728"
#define C_UNRESP "#ff9900"

/* The side margins in screen fractions: room for a label and tics, 72 px at least. */
static double side(const struct plot_fig *f)
{
	return f->width * 0.08 >= 72 ? 0.08 : 72.0 / f->width;
}

void plot_quote(char *buf, size_t n, const char *s)
{
	size_t at = 0;

	if (n < 3) {
		if (n)
			buf[0] = '\0';
		return;
	}
	buf[at++] = '\'';
	for (; *s; s++) {
		size_t need = *s == '\'' ? 2 : 1;

		if (at + need + 2 > n) {
			snprintf(buf, n, "''");
			return;
		}
		if (*s == '\'')
			buf[at++] = '\'';
		buf[at++] = *s == '\n' ? ' ' : *s;
	}
	buf[at++] = '\'';
	buf[at] = '\0';
}

/* Seconds of t from the figure's time 0. */
static double rel(const struct plot_data *d, mm_ns t)
{
	return (double)mm_sub(t, d->t0) / 1e9;
}

static const char *colour(size_t i)
{
	return band_colours[i % NBAND];
}

/* "migrations 1-5" / "migrations 1, 3, 4" / "migration 2" / "no migration". */
static void ids_text(const struct plot_data *d, char *buf, size_t n)
{
	size_t i, at;
	int run = 1;

	if (d->nmigs == 0) {
		snprintf(buf, n, "no migration");
		return;
	}
	for (i = 1; i < d->nmigs; i++)
		run &= d->migs[i].id == d->migs[i - 1].id + 1;
	if (d->nmigs > 2 && run) {
		snprintf(buf, n, "migrations %u-%u", d->migs[0].id, d->migs[d->nmigs - 1].id);
		return;
	}
	at = (size_t)snprintf(buf, n, "migration%s ", d->nmigs > 1 ? "s" : "");
	for (i = 0; i < d->nmigs && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%u", i ? ", " : "", d->migs[i].id);
	if (at >= n && n > 4)
		memcpy(buf + n - 4, "...", 4);
}

/* The terminal line: pixels for png and svg, inches (at 100 px per inch) for pdf; fonts follow the size. */
static void terminal(FILE *fp, const struct plot_fig *f)
{
	double scale = sqrt((double)f->width * f->height / (1200.0 * 800.0));
	int font = (int)lround(11.0 * scale);

	if (font < 7)
		font = 7;
	if (strcmp(f->format, "svg") == 0)
		fprintf(fp, "set terminal svg size %d,%d dynamic font 'sans,%d' noenhanced background rgb 'white'\n",
			f->width, f->height, font);
	else if (strcmp(f->format, "pdf") == 0)
		fprintf(fp, "set terminal pdfcairo size %.2fin,%.2fin font 'sans,%d' noenhanced\n",
			f->width / 100.0, f->height / 100.0, font > 9 ? font - 2 : font);
	else
		fprintf(fp, "set terminal pngcairo size %d,%d font 'sans,%d' noenhanced background rgb 'white'\n",
			f->width, f->height, font);
}

/* The window of migration m in --align migration: its start to its end, with a margin of a tenth. */
static void mig_window(const struct plot_data *d, const struct plot_mig *m, double *lo, double *hi)
{
	double s = rel(d, m->start), e = m->end != MM_NS_NONE ? rel(d, m->end) : s;
	double pad = (e - s) * 0.1 + 0.5;

	*lo = s - pad;
	*hi = e + pad;
}

/* The x range: the capture (from 0) or, aligned, the longest migration's window from its start. */
static void xrange(FILE *fp, const struct plot_data *d, const struct plot_fig *f)
{
	double lo = 0, hi = rel(d, d->t_end);
	size_t i;

	if (f->align == CLI_ALIGN_MIGRATION && d->nmigs > 0) {
		lo = hi = 0;
		for (i = 0; i < d->nmigs; i++) {
			double a, b, s = rel(d, d->migs[i].start);

			mig_window(d, &d->migs[i], &a, &b);
			lo = a - s < lo ? a - s : lo;
			hi = b - s > hi ? b - s : hi;
		}
	}
	if (hi <= lo)
		hi = lo + 1;
	fprintf(fp, "set xrange [%.6f:%.6f]\n", lo, hi);
}

/* Migration bands (labelled "#id" when `labels`), the announce of each, and (rtt panel) the episodes. */
static void decorations(FILE *fp, const struct plot_data *d, const struct plot_fig *f, int labels, int episodes)
{
	int aligned = f->align == CLI_ALIGN_MIGRATION;
	size_t i, k;

	for (i = 0; i < d->nmigs; i++) {
		const struct plot_mig *m = &d->migs[i];
		double off = aligned ? rel(d, m->start) : 0;
		double s = rel(d, m->start) - off, e = (m->end != MM_NS_NONE ? rel(d, m->end) : s + off) - off;

		if (!aligned)
			fprintf(fp, "set object rect from first %.6f, graph 0 to first %.6f, graph 1 fc rgb '%s' "
				"fs transparent solid 0.13 noborder behind\n", s, e > s ? e : s, colour(i));
		if (labels && !aligned)
			fprintf(fp, "set label '#%u' at first %.6f, graph 0.95 left offset 0.3,0 tc rgb '%s' front\n",
				m->id, s, colour(i));
		if (m->resumed != MM_NS_NONE) {
			double r = rel(d, m->resumed) - off;

			fprintf(fp, "set arrow from first %.6f, graph 0 to first %.6f, graph 1 nohead dt 2 lw 1.5 "
				"lc rgb '%s' front\n", r, r, aligned ? colour(i) : "#000000");
			if (labels && !aligned)
				fprintf(fp, "set label 'switchover #%u' at first %.6f, graph 0.03 left rotate by 90 "
					"offset 0.9,0 front\n", m->id, r);
		}
	}
	for (k = 0; episodes && k < d->nbands; k++) {
		const struct plot_band *b = &d->bands[k];
		double off = 0;
		size_t mi = 0;

		if (aligned) {
			for (mi = 0; mi < d->nmigs && d->migs[mi].id != b->mig; mi++)
				;
			if (mi == d->nmigs)
				continue;	/* outside every migration: no place on a migration's axis */
			off = rel(d, d->migs[mi].start);
		}
		fprintf(fp, "set object rect from first %.6f, graph 0 to first %.6f, graph 1 fc rgb '%s' "
			"fs transparent solid %s noborder behind\n", rel(d, b->start) - off, rel(d, b->end) - off,
			b->kind ? C_UNRESP : C_LOSS, b->kind ? "0.22" : "0.28");
	}
}

static void clear(FILE *fp)
{
	fputs("unset object\nunset label\nunset arrow\nunset y2tics\nunset y2label\n", fp);
}

/* Panel edges: tmargin/bmargin at screen, the left/right margins fixed so the time axes line up. */
static void panel(FILE *fp, double top, double bottom, double left, double right)
{
	fprintf(fp, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n", top, bottom);
	fprintf(fp, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", left, right);
}

/* A plotted expression of the series: the row's value, or NaN outside migration i's window (aligned). */
static void aligned_using(FILE *fp, const struct plot_data *d, size_t i, const char *y)
{
	double lo, hi, s = rel(d, d->migs[i].start);

	mig_window(d, &d->migs[i], &lo, &hi);
	fprintf(fp, "data using ((column('t_rel_s') >= %.6f && column('t_rel_s') <= %.6f) ? column('t_rel_s') - %.6f "
		": NaN):(%s)", lo, hi, s, y);
}

/*
 * Stacked from the bottom: main stream, multifd, NBD, other (the roles
 * the series holds; the main stream always), each layer drawn as the
 * cumulative sum up to it, the top one first.
 */
static void stacked(FILE *fp, const struct plot_data *d)
{
	static const char *const col[4] = { "column('main_bps')", "column('multifd_bps')", "column('nbd_bps')",
					    ("(column('bps') - column('main_bps') - column('multifd_bps') - "
					     "column('nbd_bps'))") };
	static const char *const name[4] = { "main stream", "multifd", "NBD", "other" };
	static const char *const rgb[4] = { C_MAIN, C_MULTIFD, C_NBD, C_OTHER };
	int top, k, j, first = 1;

	fputs("plot ", fp);
	for (top = 3; top >= 0; top--) {
		if (top > 0 && !d->has_role[top])
			continue;
		fprintf(fp, "%sdata using 't_rel_s':((", first ? "" : ", \\\n     ");
		for (k = 0, j = 0; k <= top; k++)
			if (k == 0 || d->has_role[k])
				fprintf(fp, "%s%s", j++ ? " + " : "", col[k]);
		fprintf(fp, ") / 1e6) with fillsteps fs solid 0.85 lc rgb '%s' title '%s'", rgb[top], name[top]);
		first = 0;
	}
	fputc('\n', fp);
}

/*
 * "set yrange [0:TOP]" with headroom for the key: every range is set, so
 * gnuplot never autoscales an axis with no point on it (an error).
 */
static void yrange(FILE *fp, const char *axis, double top)
{
	fprintf(fp, "set %srange [0:%.6g]\n", axis, top > 0 && isfinite(top) ? top * 1.3 : 1.0);
}

static void throughput(FILE *fp, const struct plot_data *d, const struct plot_fig *f)
{
	double top = d->max_bps / 1e6;
	size_t i;

	fputs("set ylabel 'throughput (Mbit/s)'\n", fp);
	decorations(fp, d, f, 1, 0);
	if (!d->has_series) {
		fputs("$means << EOD\nstart_s,end_s,mean_mbps\n", fp);
		for (i = 0, top = 0; i < d->nmigs; i++) {
			double mbps = d->migs[i].mbytes * 8.0 / d->migs[i].duration_s;

			if (d->migs[i].duration_s <= 0 || d->migs[i].mbytes < 0)
				continue;
			fprintf(fp, "%.6f,%.6f,%.6f\n", rel(d, d->migs[i].start), rel(d, d->migs[i].end), mbps);
			top = mbps > top ? mbps : top;
		}
		fputs("EOD\n", fp);
		yrange(fp, "y", top);
		fputs("plot $means using 1:3:($2-$1):(0) with vectors nohead lw 4 lc rgb '" C_MAIN "' "
		      "title 'mean per migration (the report has no time series)'\n", fp);
		return;
	}
	yrange(fp, "y", top);
	if (f->align == CLI_ALIGN_MIGRATION) {
		fputs("plot ", fp);
		for (i = 0; i < d->nmigs; i++) {
			aligned_using(fp, d, i, "column('bps') / 1e6");
			fprintf(fp, " with steps lw 2 lc rgb '%s' title '#%u'%s", colour(i), d->migs[i].id,
				i + 1 < d->nmigs ? ", \\\n     " : "\n");
		}
		if (d->nmigs == 0)
			fputs("NaN notitle\n", fp);
		return;
	}
	stacked(fp, d);
}

static void rtt(FILE *fp, const struct plot_data *d, const struct plot_fig *f)
{
	int aligned = f->align == CLI_ALIGN_MIGRATION;
	size_t i;

	fputs("set ylabel 'echo RTT (ms)'\n", fp);
	yrange(fp, "y", d->max_rtt_s * 1e3);
	decorations(fp, d, f, 0, 1);
	if (!d->has_series || !d->has_rtt) {
		fprintf(fp, "plot NaN title '%s', \\\n", d->has_series ? "no echo replies" :
			"no echo RTT (the report has no time series)");
	} else if (aligned) {
		fputs("plot ", fp);
		for (i = 0; i < d->nmigs; i++) {
			aligned_using(fp, d, i, "column('rtt_mean_s') * 1000");
			fprintf(fp, " with steps lw 1.5 lc rgb '%s' title 'RTT #%u', \\\n     ", colour(i), d->migs[i].id);
		}
		fputs("NaN notitle, \\\n", fp);
	} else {
		fputs("set y2label 'lost per bin'\nset y2tics\nset ytics nomirror\n", fp);
		yrange(fp, "y2", d->max_lost);
		fputs("plot data using 't_rel_s':(column('rtt_mean_s') * 1000) with steps lw 1.5 lc rgb '#333333' "
		      "title 'echo RTT, mean per bin', \\\n"
		      "     data using 't_rel_s':(column('rtt_max_s') * 1000) with steps lw 1 dt 3 lc rgb '#333333' "
		      "title 'echo RTT, largest per bin', \\\n"
		      "     data using (column('t_rel_s') + column('bin_s') / 2):(column('ping_lost') > 0 ? "
		      "column('ping_lost') : NaN) axes x1y2 with impulses lw 3 lc rgb '" C_LOSS "' "
		      "title 'lost requests', \\\n", fp);
	}
	fputs("     NaN with boxes fs transparent solid 0.28 noborder lc rgb '" C_LOSS "' title 'downtime (loss)'", fp);
	for (i = 0; i < d->nbands && !d->bands[i].kind; i++)
		;
	if (i < d->nbands)
		fputs(", \\\n     NaN with boxes fs transparent solid 0.22 noborder lc rgb '" C_UNRESP "' "
		      "title 'unresponsive'", fp);
	fputc('\n', fp);
}

/* Application goodput and response time per phase (migrations[].app). */
static void app(FILE *fp, const struct plot_data *d, const struct plot_fig *f)
{
	double gp = 0, resp = 0;
	size_t i;

	fputs("$app << EOD\nstart_s,end_s,goodput_mbps,response_median_ms,migration\n", fp);
	for (i = 0; i < d->nphases; i++) {
		const struct plot_phase *p = &d->phases[i];
		double off = 0;
		size_t k;

		if (f->align == CLI_ALIGN_MIGRATION)
			for (k = 0; k < d->nmigs; k++)
				if (d->migs[k].id == p->mig)
					off = rel(d, d->migs[k].start);
		fprintf(fp, "%.6f,%.6f,", rel(d, p->start) - off, rel(d, p->end) - off);
		p->goodput_bps >= 0 ? fprintf(fp, "%.6f,", p->goodput_bps / 1e6) : fputs("NaN,", fp);
		p->response_median_s >= 0 ? fprintf(fp, "%.6f,", p->response_median_s * 1e3) : fputs("NaN,", fp);
		fprintf(fp, "%u\n", p->mig);
	}
	fputs("EOD\nset ylabel 'goodput (Mbit/s)'\nset y2label 'response (ms)'\nset y2tics\nset ytics nomirror\n", fp);
	for (i = 0; i < d->nphases; i++) {
		gp = d->phases[i].goodput_bps / 1e6 > gp ? d->phases[i].goodput_bps / 1e6 : gp;
		resp = d->phases[i].response_median_s * 1e3 > resp ? d->phases[i].response_median_s * 1e3 : resp;
	}
	yrange(fp, "y", gp);
	yrange(fp, "y2", resp);
	decorations(fp, d, f, 0, 0);
	fputs("plot $app using 1:3:($2-$1):(0) with vectors nohead lw 4 lc rgb '#4e79a7' title 'app goodput per phase', \\\n"
	      "     $app using 1:4:($2-$1):(0) axes x1y2 with vectors nohead lw 2 dt 2 lc rgb '#e15759' "
	      "title 'app response time, median per phase'\n", fp);
}

/* Several migrations side by side: duration and data (left), downtime (right). */
static void summary(FILE *fp, const struct plot_data *d, const struct plot_fig *f, double top, double bottom)
{
	double mb = 0, dur = 0, down = 0, gap = f->width * 0.08 >= 95 ? 0.08 : 95.0 / f->width;
	size_t i;

	fputs("$summary << EOD\nmigration,duration_s,downtime_ms,unresponsive_ms,data_mb\n", fp);
	for (i = 0; i < d->nmigs; i++) {
		const struct plot_mig *m = &d->migs[i];

		fprintf(fp, "%u,", m->id);
		m->duration_s >= 0 ? fprintf(fp, "%.6f,", m->duration_s) : fputs("NaN,", fp);
		m->downtime_s >= 0 ? fprintf(fp, "%.6f,", m->downtime_s * 1e3) : fputs("NaN,", fp);
		m->unresponsive_s >= 0 ? fprintf(fp, "%.6f,", m->unresponsive_s * 1e3) : fputs("NaN,", fp);
		m->mbytes >= 0 ? fprintf(fp, "%.6f\n", m->mbytes) : fputs("NaN\n", fp);
	}
	fprintf(fp, "EOD\nset xrange [%.1f:%.1f]\nset xtics 1\nset xlabel 'migration'\nset boxwidth 0.38\n",
		d->migs[0].id - 0.6, d->migs[d->nmigs - 1].id + 0.6);
	fputs("set style fill solid 0.85 noborder\nset key top center horizontal opaque\n", fp);
	for (i = 0; i < d->nmigs; i++) {
		const struct plot_mig *m = &d->migs[i];

		mb = m->mbytes > mb ? m->mbytes : mb;
		dur = m->duration_s > dur ? m->duration_s : dur;
		down = m->downtime_s * 1e3 > down ? m->downtime_s * 1e3 : down;
		down = m->unresponsive_s * 1e3 > down ? m->unresponsive_s * 1e3 : down;
	}
	panel(fp, top, bottom, side(f), 0.5 - gap);
	fputs("set ylabel 'duration (s)'\nset y2label 'data (MB)'\nset y2tics\n", fp);
	yrange(fp, "y", dur * 1.15);
	yrange(fp, "y2", mb * 1.15);
	fputs(""
	      "plot $summary using ($1 - 0.2):2 with boxes lc rgb '#4e79a7' title 'duration (s)', \\\n"
	      "     $summary using ($1 + 0.2):5 axes x1y2 with boxes lc rgb '#59a14f' title 'data (MB)'\n", fp);
	clear(fp);
	panel(fp, top, bottom, 0.5 + gap, 1 - side(f));
	fputs("set ylabel 'downtime (ms)'\n", fp);
	yrange(fp, "y", down * 1.15);
	if (d->has_unresponsive)
		fputs("plot $summary using ($1 - 0.2):3 with boxes lc rgb '" C_LOSS "' title 'downtime, loss-based', \\\n"
		      "     $summary using ($1 + 0.2):4 with boxes lc rgb '" C_UNRESP "' title 'unresponsive'\n", fp);
	else
		fputs("plot $summary using 1:3 with boxes lc rgb '" C_LOSS "' title 'downtime, loss-based'\n", fp);
	clear(fp);
}

int plot_script_write(FILE *fp, const struct plot_data *d, const struct plot_fig *f)
{
	int with_app = d->nphases > 0, with_summary = d->nmigs >= 2;
	double weights[4] = { 3.0, 2.2, with_app ? 1.8 : 0, with_summary ? 2.2 : 0 }, sum = 0, y, span;
	char q[1200], ids[200], title[900];
	const char *xl = f->align == CLI_ALIGN_MIGRATION ? "time since the migration's start (s)" :
			 "time since the capture's start (s)";
	int k, last_time = with_app ? 2 : 1;

	ids_text(d, ids, sizeof(ids));
	snprintf(title, sizeof(title), "%s: %s%s", d->inputs[0] ? d->inputs : "migmeter report", ids,
		 f->align == CLI_ALIGN_MIGRATION ? " (overlaid from each start)" : "");
	fprintf(fp, "# migmeter plot: %s\n# Made by migmeter %s; edit freely. Run it where it was made:\n"
		"#   gnuplot THIS_FILE   (or gnuplot -e \"out='other.%s'\" THIS_FILE)\n"
		"# The data is the --timeseries CSV of the same report (every column named in its header).\n",
		title, MM_VERSION, f->format);
	plot_quote(q, sizeof(q), f->out);
	fprintf(fp, "if (!exists('out')) out = %s\n", q);
	plot_quote(q, sizeof(q), f->data);
	fprintf(fp, "if (!exists('data')) data = %s\n", q);
	terminal(fp, f);
	fputs("if (out eq '-') { set output } else { set output out }\n"
	      "set datafile separator comma\nset datafile columnheaders\nset datafile missing NaN\n"
	      "set grid ytics lc rgb '#d8d8d8'\nset key top right opaque box lc rgb '#bbbbbb'\n"
	      "set style fill solid 0.85 noborder\nset tics nomirror out\n", fp);
	plot_quote(q, sizeof(q), title);
	fprintf(fp, "set multiplot title %s font ',%d'\n", q, f->width * f->height >= 600000 ? 13 : 9);
	for (k = 0; k < 4; k++)
		sum += weights[k];
	y = 0.92;
	span = 0.92 - 0.03 - (with_summary ? 0.10 : 0.06) - 0.05 * (with_app ? 3 : 2);
	for (k = 0; k < 4; k++) {
		double h = weights[k] / sum * span, bottom;

		if (weights[k] == 0)
			continue;
		bottom = y - h;
		if (k == 3) {
			summary(fp, d, f, y, bottom + 0.03);
			break;
		}
		panel(fp, y, bottom, side(f), 1 - side(f));
		xrange(fp, d, f);
		plot_quote(q, sizeof(q), xl);
		fprintf(fp, "set xlabel %s\n", k == last_time ? q : "''");
		if (k == 0)
			throughput(fp, d, f);
		else if (k == 1)
			rtt(fp, d, f);
		else
			app(fp, d, f);
		clear(fp);
		y = bottom - (k == last_time ? 0.09 : 0.05);
	}
	fputs("unset multiplot\nset output\n", fp);
	return ferror(fp) ? -1 : 0;
}
