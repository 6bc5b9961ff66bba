import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP load from pre-signed bodies (see {@link Bodies}), with the same result keys as scripts/bench/signed-bodies.lua.
 * <ul>
 *   <li>{@code closed-loop}: {@code --connections} clients, each sending its next request when the previous one is
 *       answered (what wrk does); the fallback when wrk is not installed.</li>
 *   <li>{@code fixed-rate}: requests start at a fixed rate whatever the answers do; each latency is measured from
 *       the moment the request was <em>due</em>, so a stalled server shows up in the percentiles instead of
 *       silently lowering the rate (no coordinated omission).</li>
 * </ul>
 */
final class HttpLoad {

    private static final Pattern EVENTS = Pattern.compile("\"events\"\\s*:\\s*(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long TWO_SECONDS = TimeUnit.SECONDS.toNanos(2);

    private HttpLoad() {
    }

    record Line(String signature, String requestId, byte[] body) {
    }

    static List<Line> load(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = reader.readLine()) != null) {
                int a = line.indexOf('\t');
                int b = line.indexOf('\t', a + 1);
                lines.add(new Line(line.substring(0, a), line.substring(a + 1, b),
                        line.substring(b + 1).getBytes(StandardCharsets.US_ASCII)));
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no request bodies in " + file);
        }
        return lines;
    }

    static HttpRequest request(URI url, Line line) {
        return HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "amoCRM-Webhooks/3.0")
                .header("X-Amocrm-Requestid", line.requestId())
                .header("X-Signature", line.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(line.body()))
                .build();
    }

    static HttpClient client(ExecutorService executor) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
    }

    /** What came back, counted the same way the wrk script counts. */
    static final class Tally {
        final LongAdder sent = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder okInWindow = new LongAdder();
        final LongAdder accepted = new LongAdder();
        final LongAdder duplicate = new LongAdder();
        final LongAdder non2xx = new LongAdder();
        final LongAdder socketErrors = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder events = new LongAdder();
        final LongAdder eventsInWindow = new LongAdder();
        final LongAdder wrapped = new LongAdder();
        final LongAdder over2s = new LongAdder();

        void answer(HttpResponse<String> response, boolean inWindow) {
            answer(response.statusCode(), response.body(), inWindow);
        }

        void answer(int status, String body, boolean inWindow) {
            if (status < 200 || status > 299) {
                non2xx.increment();
                return;
            }
            ok.increment();
            long n = 0;
            if (body.contains("\"status\":\"duplicate\"")) {
                duplicate.increment();
            } else {
                accepted.increment();
                Matcher m = EVENTS.matcher(body);
                n = m.find() ? Long.parseLong(m.group(1)) : 0;
            }
            events.add(n);
            if (inWindow) {
                okInWindow.increment();
                eventsInWindow.add(n);
            }
        }

        void failure(Throwable error) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException) {
                timeouts.increment();
            } else {
                socketErrors.increment();
            }
        }

        Map<String, Object> result(String tool, double seconds, long[] latenciesNanos) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("tool", tool);
            r.put("duration_s", String.format(java.util.Locale.ROOT, "%.3f", seconds));
            r.put("sent", sent.sum());
            r.put("ok", ok.sum());
            r.put("ok_in_window", okInWindow.sum());
            r.put("accepted", accepted.sum());
            r.put("duplicate", duplicate.sum());
            r.put("non2xx", non2xx.sum());
            r.put("socket_errors", socketErrors.sum());
            r.put("timeouts", timeouts.sum());
            r.put("events", events.sum());
            r.put("events_in_window", eventsInWindow.sum());
            r.put("wrapped", wrapped.sum());
            r.put("over_2s", over2s.sum());
            Arrays.sort(latenciesNanos);
            r.put("lat_p50_ms", ms(percentile(latenciesNanos, 50)));
            r.put("lat_p90_ms", ms(percentile(latenciesNanos, 90)));
            r.put("lat_p99_ms", ms(percentile(latenciesNanos, 99)));
            r.put("lat_max_ms", ms(latenciesNanos.length == 0 ? 0 : latenciesNanos[latenciesNanos.length - 1]));
            return r;
        }
    }

    /** A p99 above the target is usually a few stalls, not slowness throughout: where in the run they were. */
    static final long SLOW_MS = 50;

    /**
     * Per second of the run (by due time), the slowest answer (a request without one counts as the timeout): how
     * many seconds had one slower than {@link #SLOW_MS}, and the three worst seconds as {@code offset:ms}.
     */
    static void slowSeconds(Map<String, Object> result, long[] dueTimes, long[] latencies, boolean[] answered) {
        long start = dueTimes.length == 0 ? 0 : dueTimes[0];
        long span = dueTimes.length == 0 ? 0 : dueTimes[dueTimes.length - 1] - start;
        long[] worst = new long[1 + (int) (span / 1_000_000_000L)];
        for (int i = 0; i < dueTimes.length; i++) {
            int second = (int) ((dueTimes[i] - start) / 1_000_000_000L);
            // a request with no answer (timeout, socket error) was the slowest of all
            worst[second] = Math.max(worst[second], answered[i] ? latencies[i] : TIMEOUT.toNanos());
        }
        long slow = Arrays.stream(worst).filter(w -> w > TimeUnit.MILLISECONDS.toNanos(SLOW_MS)).count();
        String top = java.util.stream.IntStream.range(0, worst.length).boxed()
                .sorted((a, b) -> Long.compare(worst[b], worst[a])).limit(3)
                .filter(i -> worst[i] > TimeUnit.MILLISECONDS.toNanos(SLOW_MS))
                .map(i -> i + ":" + ms(worst[i])).collect(java.util.stream.Collectors.joining(","));
        result.put("slow_seconds", slow);
        result.put("seconds", worst.length);
        result.put("worst_seconds", top.isEmpty() ? "none" : top);
        // every second's slowest answer, for lining stalls up with the server's and PostgreSQL's logs
        result.put("worst_ms_per_second", Arrays.stream(worst).mapToObj(w -> String.valueOf(w / 1_000_000L))
                .collect(java.util.stream.Collectors.joining(",")));
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** wrk's model in Java: N connections, each sending the next body as soon as the last one is answered. */
    static void closedLoop(BenchTool.Args args) throws Exception {
        URI url = URI.create(args.required("url"));
        int connections = args.integer("connections", 16);
        double seconds = args.decimal("seconds", 10);
        List<Line> lines = load(args.path("bodies"));
        Tally tally = new Tally();
        AtomicInteger next = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient client = client(executor);
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long[][] perThread = new long[connections][];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            final int slot = c;
            Thread thread = new Thread(() -> {
                long[] latencies = new long[1024];
                int count = 0;
                while (System.nanoTime() < deadline) {
                    int k = next.getAndIncrement();
                    if (k >= lines.size()) {
                        tally.wrapped.increment();
                    }
                    Line line = lines.get(k % lines.size());
                    tally.sent.increment();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> response = client.send(request(url, line), HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        boolean inWindow = t1 <= deadline;
                        tally.answer(response, inWindow);
                        if (inWindow) {
                            if (count == latencies.length) {
                                latencies = Arrays.copyOf(latencies, count * 2);
                            }
                            latencies[count++] = t1 - t0;
                            if (t1 - t0 > TWO_SECONDS) {
                                tally.over2s.increment();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } catch (IOException e) {
                        tally.failure(e);
                    }
                }
                perThread[slot] = Arrays.copyOf(latencies, count);
            }, "closed-loop-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long[] merged = Arrays.stream(perThread).flatMapToLong(Arrays::stream).toArray();
        executor.shutdownNow();
        Map<String, Object> result = tally.result("java-closed-loop", seconds, merged);
        BenchTool.writeResult(args.path("result"), result);
    }

    /**
     * A fixed request rate; latency from the intended start of each request (coordinated-omission free). A
     * dispatcher releases each request at its due time to {@code --connections} keep-alive connections (plain
     * sockets: java.net.http costs several times the CPU, which this 2-core machine would take from the server); a
     * request that finds every connection busy waits, and its wait counts in its latency.
     */
    static void fixedRate(BenchTool.Args args) throws Exception {
        URI url = URI.create(args.required("url"));
        double rate = args.decimal("rate", 500);
        double seconds = args.decimal("seconds", 10);
        int connections = args.integer("connections", 64);
        // sent at the same rate before the measured seconds, answers checked but latencies not counted: the
        // client's own start and its connections' set-up are not the server's latency (wrk2 calibrates likewise)
        double leadIn = args.decimal("lead-in", 0);
        List<Line> lines = load(args.path("bodies"));
        int leadN = (int) Math.round(rate * leadIn);
        int total = leadN + (int) Math.round(rate * seconds);
        Tally tally = new Tally();
        long[] latencies = new long[total];
        boolean[] answered = new boolean[total];
        long[] dueTimes = new long[total];
        BlockingQueue<Integer> due = new LinkedBlockingQueue<>();
        long period = (long) (1e9 / rate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long startEpochMillis = System.currentTimeMillis() + 50;
        long giveUp = start + (long) ((leadIn + seconds) * 1e9) + TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5);
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread worker = new Thread(() -> {
                RawHttp http = new RawHttp(url);
                try {
                    while (true) {
                        Integer index = due.poll(Math.max(1, giveUp - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (index == null || index < 0) {
                            return;
                        }
                        Line line = lines.get(index % lines.size());
                        try {
                            RawHttp.Answer answer = http.post(line);
                            long latency = System.nanoTime() - dueTimes[index];
                            tally.answer(answer.status(), answer.body(), index >= leadN);
                            latencies[index] = latency;
                            answered[index] = true;
                            if (latency > TWO_SECONDS) {
                                tally.over2s.increment();
                            }
                        } catch (java.net.SocketTimeoutException e) {
                            tally.timeouts.increment();
                            http.close();
                        } catch (IOException | RuntimeException e) {
                            // a broken answer counts as a socket error; the worker goes on with a new connection
                            tally.socketErrors.increment();
                            http.close();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    http.close();
                }
            }, "fixed-rate-" + c);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        for (int i = 0; i < total; i++) {
            long dueAt = start + i * period;
            long wait;
            while ((wait = dueAt - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (i >= lines.size()) {
                tally.wrapped.increment();
            }
            dueTimes[i] = dueAt;
            tally.sent.increment();
            due.add(i);
        }
        for (int c = 0; c < connections; c++) {
            due.add(-1);
        }
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(giveUp - System.nanoTime())));
        }
        double elapsed = (System.nanoTime() - start) / 1e9 - leadIn;
        long[] measured = new long[total];
        int n = 0;
        long unanswered = 0;
        for (int i = 0; i < total; i++) {
            if (!answered[i]) {
                unanswered++;
            } else if (i >= leadN) {
                measured[n++] = latencies[i];
            }
        }
        Map<String, Object> result = tally.result("java-fixed-rate", seconds, Arrays.copyOf(measured, n));
        result.put("target_rate", rate);
        result.put("lead_in_s", leadIn);
        result.put("lead_in_requests", leadN);
        // wall-clock time of the first measured second, for lining it up with logs
        result.put("measured_from_epoch_ms", startEpochMillis + (long) (leadIn * 1000));
        slowSeconds(result, Arrays.copyOfRange(dueTimes, leadN, total), Arrays.copyOfRange(latencies, leadN, total),
                Arrays.copyOfRange(answered, leadN, total));
        result.put("elapsed_s", String.format(java.util.Locale.ROOT, "%.3f", elapsed));
        // requests that got no answer and no counted failure (a worker still waiting when the client gave up)
        result.put("unanswered", Math.max(0, unanswered - tally.socketErrors.sum() - tally.timeouts.sum()));
        BenchTool.writeResult(args.path("result"), result);
    }
}
