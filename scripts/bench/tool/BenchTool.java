import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The Java half of {@code make bench} (scripts/bench/bench.sh drives it): one subcommand per job. Compiled by
 * bench.sh with javac; needs only the JDK and, for the database jobs, the PostgreSQL JDBC driver on the classpath.
 *
 * <pre>
 * free-ports     N free TCP ports on loopback (never 8000 or 54329)
 * wait-healthy   polls GET .../health until 200; prints milliseconds since --since (epoch ms)
 * gen            pre-generates signed request bodies and their manifest (Bodies)
 * closed-loop    N connections sending as fast as answered: the fallback when wrk is missing (HttpLoad)
 * fixed-rate     a fixed request rate, latency from the intended send time (HttpLoad)
 * db-prepare     creates the scratch tables bench_journal and bench_leads (DbLimit)
 * pgbench-script writes the pgbench script of the database limit (DbLimit)
 * db-limit       the database limit with JDBC only: the fallback when pgbench is missing (DbLimit)
 * reference-server  the least an HTTP webhook server can do: the database limit's transaction per request
 * statements-script  the pgbench script of the product's own statements for one event (ProductStatements)
 * statements-jdbc    the same with JDBC only: the fallback when pgbench is missing (ProductStatements)
 * verify-statements  checks that every transaction of it journaled its request and event (ProductStatements)
 * report-statements  prints its table (Report)
 * truncate       empties the product's tables between scenarios (Verify)
 * verify         checks that every 2xx-answered event is in PostgreSQL (Verify)
 * verify-reference  checks that every 2xx-answered request of the reference server is journaled (Verify)
 * report         prints one scenario's table (Report)
 * summary        prints the targets table (Report)
 * </pre>
 */
public final class BenchTool {

    private BenchTool() {
    }

    /** {@code BenchTool <command> [--key value ...] [:: <command> ...]}: several jobs in one JVM start. */
    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            throw new IllegalArgumentException("usage: BenchTool <command> [--key value ...] [:: <command> ...]");
        }
        int exit = 0;
        int from = 0;
        for (int i = 0; i <= argv.length; i++) {
            if (i == argv.length || argv[i].equals("::")) {
                if (i > from) {
                    exit = Math.max(exit, run(argv[from], Arrays.copyOfRange(argv, from + 1, i)));
                }
                from = i + 1;
            }
        }
        System.exit(exit);
    }

    private static int run(String command, String[] rest) throws Exception {
        Args args = new Args(rest);
        int exit = 0;
        switch (command) {
            case "free-ports" -> freePorts(args);
            case "wait-healthy" -> exit = waitHealthy(args);
            case "gen" -> Bodies.generate(args);
            case "closed-loop" -> HttpLoad.closedLoop(args);
            case "fixed-rate" -> HttpLoad.fixedRate(args);
            case "db-prepare" -> DbLimit.prepare(args);
            case "pgbench-script" -> DbLimit.writePgbenchScript(args);
            case "db-limit" -> DbLimit.run(args);
            case "reference-server" -> ReferenceServer.run(args);
            case "statements-script" -> ProductStatements.writePgbenchScript(args);
            case "statements-jdbc" -> ProductStatements.run(args);
            case "verify-statements" -> exit = ProductStatements.verify(args);
            case "report-statements" -> Report.statements(args);
            case "truncate" -> Verify.truncate(args);
            case "verify" -> exit = Verify.run(args);
            case "verify-reference" -> exit = Verify.reference(args);
            case "report" -> Report.scenario(args);
            case "summary" -> exit = Report.summary(args);
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
        return exit;
    }

    /** Ports the OS hands out as free, skipping the ones this project's other servers use. */
    static void freePorts(Args args) throws IOException {
        int count = args.integer("count", 1);
        Set<Integer> avoid = Set.of(8000, 54329);
        StringBuilder out = new StringBuilder();
        java.util.List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            while (held.size() < count) {
                ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                if (avoid.contains(socket.getLocalPort())) {
                    socket.close();
                    continue;
                }
                held.add(socket);
                out.append(out.length() == 0 ? "" : " ").append(socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        System.out.println(out);
    }

    /** Exit 0 and print the elapsed ms once the health URL answers 200; 1 on timeout or when --pid died. */
    static int waitHealthy(Args args) throws InterruptedException {
        URI url = URI.create(args.required("url"));
        long since = args.longValue("since", System.currentTimeMillis());
        long deadline = System.currentTimeMillis() + args.integer("timeout", 120) * 1000L;
        long pid = args.longValue("pid", -1);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    System.out.println(System.currentTimeMillis() - since);
                    return 0;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                System.err.println("the server process " + pid + " exited before it was healthy");
                return 1;
            }
            Thread.sleep(50);
        }
        System.err.println("the server was not healthy within the timeout");
        return 1;
    }

    static String jdbcUrl(Args args) {
        return args.required("jdbc");
    }

    static java.sql.Connection connect(Args args) throws java.sql.SQLException {
        Properties props = new Properties();
        props.setProperty("user", args.get("user", "postgres"));
        if (args.get("password", null) != null) {
            props.setProperty("password", args.get("password", ""));
        }
        return java.sql.DriverManager.getConnection(jdbcUrl(args), props);
    }

    /** A {@code key=value} file, the format the wrk script, this tool and bench.sh exchange results in. */
    static Map<String, String> readResult(Path file) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        if (file == null || !Files.exists(file)) {
            return map;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                map.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return map;
    }

    static void writeResult(Path file, Map<String, ?> values) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, ?> e : values.entrySet()) {
                out.write(e.getKey() + "=" + String.valueOf(e.getValue()).replace('\n', ' ') + "\n");
            }
        }
    }

    /** {@code --key value} pairs. */
    static final class Args {
        private final Map<String, String> values = new HashMap<>();

        Args(String[] argv) {
            for (int i = 0; i < argv.length; i++) {
                if (!argv[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --key, got " + argv[i]);
                }
                String key = argv[i].substring(2);
                String value = i + 1 < argv.length && !argv[i + 1].startsWith("--") ? argv[++i] : "true";
                values.put(key, value);
            }
        }

        String get(String key, String fallback) {
            String value = values.get(key);
            return value == null || value.isEmpty() ? fallback : value;
        }

        String required(String key) {
            String value = values.get(key);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("missing --" + key);
            }
            return value;
        }

        int integer(String key, int fallback) {
            return Integer.parseInt(get(key, String.valueOf(fallback)));
        }

        long longValue(String key, long fallback) {
            return Long.parseLong(get(key, String.valueOf(fallback)));
        }

        double decimal(String key, double fallback) {
            return Double.parseDouble(get(key, String.valueOf(fallback)));
        }

        Path path(String key) {
            return Path.of(required(key));
        }

        Path optionalPath(String key) {
            String value = get(key, null);
            return value == null ? null : Path.of(value);
        }
    }
}
