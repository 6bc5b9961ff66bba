import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The tables {@code make bench} prints: one per scenario, then the targets of issue 8 with what was measured. */
final class Report {

    private Report() {
    }

    /**
     * One scenario's table from the load result, the data check and the RSS samples; writes the figures the
     * summary needs to {@code --out}.
     */
    static void scenario(BenchTool.Args args) throws Exception {
        Map<String, String> load = BenchTool.readResult(args.path("load"));
        Map<String, String> check = BenchTool.readResult(args.path("check"));
        double duration = number(load, "duration_s");
        double ok = number(load, load.containsKey("ok_in_window") ? "ok_in_window" : "ok");
        double events = number(load, load.containsKey("events_in_window") ? "events_in_window" : "events");
        double rps = duration > 0 ? ok / duration : 0;
        double eps = duration > 0 ? events / duration : 0;
        long non2xx = (long) number(load, "non2xx");
        long socket = (long) number(load, "socket_errors");
        long timeouts = (long) number(load, "timeouts");
        // fixed rate: requests sent that got neither an answer nor a counted failure are errors too
        long unanswered = (long) number(load, "unanswered");
        timeouts += unanswered;
        double rssMb = args.decimal("rss-kb", 0) / 1024.0;
        double dbTps = args.decimal("db-tps", 0);
        int dbEvents = args.integer("db-events", 1);
        String basis = args.get("ratio", "requests");
        double ratio;
        String ratioText;
        switch (basis) {
            case "events" -> {
                ratio = dbTps > 0 ? eps / (dbTps * dbEvents) : 0;
                ratioText = pct(ratio) + " (events/s vs " + fmt(dbTps * dbEvents) + " events/s = "
                        + fmt(dbTps) + " tx/s × " + dbEvents + ")";
            }
            case "offered" -> {
                double rate = number(load, "target_rate");
                ratio = dbTps > 0 ? rate / dbTps : 0;
                ratioText = pct(ratio) + " (offered " + fmt(rate) + " req/s vs " + fmt(dbTps) + " tx/s: load level)";
            }
            default -> {
                ratio = dbTps > 0 ? rps / dbTps : 0;
                ratioText = pct(ratio) + " (requests/s vs " + fmt(dbTps) + " tx/s)";
            }
        }
        String name = args.required("name");
        System.out.println();
        System.out.println("### bench: " + name + " — " + args.get("title", name));
        System.out.println();
        System.out.println(args.get("setup", ""));
        System.out.println();
        System.out.println("| " + name + " | value |");
        System.out.println("|---|---|");
        if (load.containsKey("target_rate")) {
            row("offered rate", fmt(number(load, "target_rate")) + " req/s for " + fmt(duration) + " s");
        }
        row("requests/s (2xx)", fmt(rps));
        row("events/s", fmt(eps));
        row("latency p50 / p90 / p99 / max", load.get("lat_p50_ms") + " / " + load.get("lat_p90_ms") + " / "
                + load.get("lat_p99_ms") + " / " + load.get("lat_max_ms") + " ms");
        String over2s = load.get("over_2s");
        row("errors", (non2xx + socket + timeouts) + " (non-2xx " + non2xx + ", socket " + socket + ", timeouts " + timeouts
                + (unanswered > 0 ? " incl. " + unanswered + " unanswered" : "")
                + (over2s != null && !over2s.equals("n/a") ? ", answers slower than 2 s " + over2s : "") + ")");
        if (load.containsKey("slow_seconds")) {
            String worst = load.get("worst_seconds");
            row("seconds with an answer slower than " + HttpLoad.SLOW_MS + " ms", load.get("slow_seconds") + " of "
                    + load.get("seconds") + (worst == null || worst.equals("none") ? ""
                    : " (worst, second of the run: slowest answer ms: " + worst.replace(",", ", ") + ")"));
        }
        row("server RSS (max, JVM)", String.format(Locale.ROOT, "%.0f MB", rssMb));
        double answered = number(load, "ok");
        if (load.containsKey("jvm_cpu_s") && answered > 0) {
            double jvmCpu = number(load, "jvm_cpu_s");
            double pgCpu = number(load, "pg_cpu_s");
            double jitCpu = number(load, "jit_cpu_s");
            row("CPU per 2xx request: server JVM / PostgreSQL", String.format(Locale.ROOT,
                    "%.2f / %.2f ms (%.1f / %.1f CPU-s in all; the JIT compiler %.0f %% of the JVM's)", jvmCpu * 1000 / answered,
                    pgCpu * 1000 / answered, jvmCpu, pgCpu, jvmCpu > 0 ? 100 * jitCpu / jvmCpu : 0));
        }
        row("database limit", fmt(dbTps) + " tx/s (" + args.get("db-label", "") + ")");
        row("ratio to database limit", ratioText);
        long wrapped = (long) number(load, "wrapped");
        if (wrapped > 0) {
            row("body pool", "exhausted: " + wrapped + " requests "
                    + args.get("resent", "re-sent bodies already sent (answered as duplicates)"));
        }
        row("data check", check.getOrDefault("check", "NOT RUN") + ": " + check.getOrDefault("detail", ""));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rps", fmt(rps));
        out.put("eps", fmt(eps));
        out.put("p99_ms", load.get("lat_p99_ms"));
        out.put("answered_all", String.valueOf(!load.containsKey("sent") || number(load, "sent")
                <= number(load, "ok") + non2xx + socket + timeouts));
        out.put("errors", non2xx + socket + timeouts);
        out.put("rss_mb", String.format(Locale.ROOT, "%.0f", rssMb));
        out.put("ratio", String.format(Locale.ROOT, "%.4f", ratio));
        out.put("check", check.getOrDefault("check", "NOT RUN"));
        BenchTool.writeResult(args.path("out"), out);
    }

    /**
     * The statements scenario's table: the product's own transaction run by pgbench (or JDBC) with no server, as the
     * server sends it and with its writes pipelined, against the database limit; writes the summary's figures.
     */
    static void statements(BenchTool.Args args) throws Exception {
        Map<String, String> plain = BenchTool.readResult(args.path("plain"));
        Map<String, String> pipelined = BenchTool.readResult(args.path("pipelined"));
        Map<String, String> check = BenchTool.readResult(args.path("check"));
        double dbTps = args.decimal("db-tps", 0);
        double tps = number(plain, "tps");
        double tpsPipelined = number(pipelined, "tps");
        double ratio = dbTps > 0 ? tps / dbTps : 0;
        double ratioPipelined = dbTps > 0 ? tpsPipelined / dbTps : 0;
        System.out.println();
        System.out.println("### bench: statements — not the product's server: its own statements for one lead update, with no server");
        System.out.println();
        System.out.println(args.get("setup", ""));
        System.out.println();
        System.out.println("| statements | value |");
        System.out.println("|---|---|");
        row("transactions/s, one round trip per statement (as the server sends them)", fmt(tps)
                + " (" + pct(ratio) + " of the database limit; PostgreSQL CPU " + args.get("cpu-ms", "?") + " ms per transaction)");
        row("transactions/s, the three writes in one round trip", fmt(tpsPipelined)
                + " (" + pct(ratioPipelined) + " of the database limit; PostgreSQL CPU " + args.get("cpu-ms-pipelined", "?")
                + " ms per transaction)");
        row("failed transactions", isCount(plain, "failures") && isCount(pipelined, "failures")
                ? String.valueOf((long) (number(plain, "failures") + number(pipelined, "failures"))) : "n/a");
        row("compared with the database limit", fmt(dbTps) + " tx/s (" + args.get("db-label", "") + ")");
        row("data check", check.getOrDefault("check_text", "NOT RUN"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tps", fmt(tps));
        out.put("ratio", String.format(Locale.ROOT, "%.4f", ratio));
        out.put("ratio_pipelined", String.format(Locale.ROOT, "%.4f", ratioPipelined));
        out.put("check", check.getOrDefault("check", "NOT RUN"));
        BenchTool.writeResult(args.path("out"), out);
    }

    /** The targets of issue 8 against this run; exit 1 when a data check failed, 3 when a target is missed. */
    static int summary(BenchTool.Args args) throws Exception {
        Path dir = args.path("dir");
        Map<String, String> single = BenchTool.readResult(dir.resolve("single.summary"));
        Map<String, String> batch = BenchTool.readResult(dir.resolve("batch.summary"));
        Map<String, String> mixed = BenchTool.readResult(dir.resolve("mixed.summary"));
        Map<String, String> fixed = BenchTool.readResult(dir.resolve("fixed.summary"));
        Map<String, String> start = BenchTool.readResult(dir.resolve("start.result"));
        Map<String, String> reference = BenchTool.readResult(dir.resolve("reference.summary"));
        Map<String, String> statements = BenchTool.readResult(dir.resolve("statements.summary"));
        boolean assertTargets = Boolean.parseBoolean(args.get("assert-targets", "false"));

        List<String[]> rows = new ArrayList<>();
        double singleRatio = number(single, "ratio");
        rows.add(target("single-event requests/s vs database limit", "≥ 60 %", pct(singleRatio), singleRatio >= 0.60));
        double singleEps = number(single, "eps");
        double batchEps = number(batch, "eps");
        double factor = singleEps > 0 ? batchEps / singleEps : 0;
        rows.add(target("50-event batch events/s vs single-event events/s", "≥ 10×",
                String.format(Locale.ROOT, "%.1f× (%s vs %s events/s)", factor, fmt(batchEps), fmt(singleEps)), factor >= 10));
        double p99 = number(fixed, "p99_ms");
        rows.add(target("fixed " + args.get("rate", "500") + " req/s: p99 latency", "< 50 ms",
                String.format(Locale.ROOT, "%.1f ms", p99),
                p99 < 50 && !fixed.isEmpty() && !"false".equals(fixed.get("answered_all"))));
        long fixedErrors = (long) number(fixed, "errors");
        rows.add(target("fixed " + args.get("rate", "500") + " req/s: errors", "0", String.valueOf(fixedErrors),
                fixedErrors == 0 && !fixed.isEmpty()));
        double rss = number(single, "rss_mb");
        rows.add(target("server RSS during single-event requests", "< 400 MB", String.format(Locale.ROOT, "%.0f MB", rss),
                rss > 0 && rss < 400));
        double startMs = number(start, "healthy_ms");
        rows.add(target("start to healthy (" + start.getOrDefault("which", "second start") + ")", "< 8 s",
                String.format(Locale.ROOT, "%.1f s", startMs / 1000), startMs > 0 && startMs < 8000));

        int checksOk = 0;
        int checks = 0;
        List<String> failed = new ArrayList<>();
        List<String> ran = List.of(args.get("scenarios", "single,batch,mixed,fixed").split(","));
        for (Map.Entry<String, Map<String, String>> e : Map.of("single", single, "batch", batch, "mixed", mixed, "fixed", fixed,
                "reference", reference, "statements", statements).entrySet()) {
            if (!ran.contains(e.getKey())) {
                continue;
            }
            checks++;
            if ("OK".equals(e.getValue().get("check"))) {
                checksOk++;
            } else {
                failed.add(e.getKey());
            }
        }
        System.out.println();
        System.out.println("### bench: targets (issue 8)" + (assertTargets ? "" : " — not asserted in this run"));
        System.out.println();
        System.out.println("| target | required | measured | met |");
        System.out.println("|---|---|---|---|");
        boolean allMet = true;
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
            allMet &= r[3].equals("yes");
        }
        System.out.println("| every 2xx-answered event in PostgreSQL | all scenarios | " + checksOk + " of " + checks
                + (failed.isEmpty() ? "" : " (failed: " + String.join(", ", failed) + ")") + " | "
                + (failed.isEmpty() ? "yes" : "NO") + " |");
        if (!reference.isEmpty()) {
            double referenceRps = number(reference, "rps");
            System.out.println();
            System.out.println("Not a target: the reference (a bare HTTP server doing only the database limit's transaction) answered "
                    + fmt(referenceRps) + " requests/s, " + pct(number(reference, "ratio")) + " of the database limit"
                    + (singleEps > 0 && referenceRps > 0 ? "; the server's single-event requests/s are "
                            + pct(number(single, "rps") / referenceRps) + " of the reference's" : "") + ".");
        }
        if (!statements.isEmpty()) {
            System.out.println();
            System.out.println("Not a target: the product's own statements for one lead update, run by "
                    + args.get("dbtool", "pgbench") + " with no server at all, reached " + pct(number(statements, "ratio"))
                    + " of the database limit (" + pct(number(statements, "ratio_pipelined"))
                    + " with the three writes in one round trip): what these statements allow a server here, before"
                    + " the server's own CPU.");
        }
        System.out.println();
        if (!failed.isEmpty()) {
            System.out.println("bench: FAILED: data check failed for " + String.join(", ", failed));
            return 1;
        }
        if (assertTargets && !allMet) {
            System.out.println("bench: targets NOT met (exit 3; BENCH_ASSERT_TARGETS=0 reports without failing)");
            return 3;
        }
        System.out.println("bench: data checks passed" + (allMet ? "; all targets met" : "; some targets not met (not asserted)"));
        return 0;
    }

    private static String[] target(String what, String required, String measured, boolean met) {
        return new String[] {what, required, measured, met ? "yes" : "NO"};
    }

    private static void row(String metric, String value) {
        System.out.println("| " + metric + " | " + value + " |");
    }

    private static boolean isCount(Map<String, String> values, String key) {
        return values.getOrDefault(key, "").matches("\\d+");
    }

    static double number(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null || value.isEmpty() || value.equals("n/a")) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String fmt(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.0f %%", ratio * 100);
    }
}
