import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pre-generates the request bodies of a scenario, in amoCRM's wire format (PHP http_build_query style), each
 * signed with HMAC-SHA256 of its exact bytes. Writes two files:
 * <ul>
 *   <li>{@code --out}: one request per line, {@code <hex signature>\t<X-Amocrm-Requestid>\t<body>} (a body never
 *       holds a raw tab or newline: everything outside {@code [A-Za-z0-9._-]} is percent-encoded);</li>
 *   <li>{@code --manifest}: one line per request, {@code <request id>\t<events>\t<table:key,...>}: the rows the
 *       request's events must leave in PostgreSQL (Verify reads it).</li>
 * </ul>
 * Scenarios: {@code single} (one lead update, distinct lead id and updated_at per request), {@code batch} (a bulk
 * edit: leads[update][0..49]), {@code mixed} (every entity and action, bulk edits, exact re-deliveries, the same
 * event in another request, out-of-order updates, an entity the server does not model).
 */
final class Bodies {

    static final String SUBDOMAIN = "examplecrm";
    static final String ACCOUNT_ID = "31234567";
    static final long T0 = 1_732_600_000L;
    static final int BATCH = 50;

    private Bodies() {
    }

    record Request(String requestId, String body, int events, List<String> keys) {
    }

    interface Generator {
        Request next(int i);
    }

    static void generate(BenchTool.Args args) throws Exception {
        String scenario = args.required("scenario");
        int count = args.integer("count", 1000);
        String prefix = args.get("prefix", "bench-" + scenario + "-");
        Generator generator = generator(scenario, prefix, args.longValue("seed", 42));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(args.required("secret").getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        HexFormat hex = HexFormat.of();
        long bytes = 0;
        long events = 0;
        try (BufferedWriter out = Files.newBufferedWriter(args.path("out"), StandardCharsets.US_ASCII);
             BufferedWriter manifest = Files.newBufferedWriter(args.path("manifest"), StandardCharsets.US_ASCII)) {
            for (int i = 0; i < count; i++) {
                Request r = generator.next(i);
                String signature = hex.formatHex(mac.doFinal(r.body().getBytes(StandardCharsets.US_ASCII)));
                out.write(signature);
                out.write('\t');
                out.write(r.requestId());
                out.write('\t');
                out.write(r.body());
                out.write('\n');
                manifest.write(r.requestId() + "\t" + r.events() + "\t" + String.join(",", r.keys()) + "\n");
                bytes += r.body().length();
                events += r.events();
            }
        }
        System.out.printf("generated %d %s requests, %d events, %.1f MB (%.0f bytes per request)%n",
                count, scenario, events, bytes / 1e6, count == 0 ? 0.0 : (double) bytes / count);
    }

    static Generator generator(String scenario, String prefix, long seed) {
        return switch (scenario) {
            case "single" -> i -> single(prefix, i, 100_000_000L);
            case "warm" -> i -> single(prefix, i, 90_000_000L);
            case "fixed" -> i -> single(prefix, i, 300_000_000L);
            case "batch" -> i -> batch(prefix, i, 200_000_000L);
            case "mixed" -> new Mixed(prefix, seed);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
    }

    /** One lead update per request, as amoCRM sends it when a user edits a lead: the whole lead with its fields. */
    static Request single(String prefix, int i, long idBase) {
        long id = idBase + i;
        long version = T0 + i;
        Form f = new Form().account();
        lead(f, "leads[update][0]", id, version, i, true);
        return new Request(prefix + i, f.build(), 1, List.of("amo_leads:" + id));
    }

    /** A bulk edit of 50 leads (amoCRM sends them in one request): leads[update][0..49]. */
    static Request batch(String prefix, int i, long idBase) {
        Form f = new Form().account();
        List<String> keys = new ArrayList<>(BATCH);
        for (int j = 0; j < BATCH; j++) {
            long id = idBase + (long) i * BATCH + j;
            lead(f, "leads[update][" + j + "]", id, T0 + i, i * BATCH + j, false);
            keys.add("amo_leads:" + id);
        }
        return new Request(prefix + i, f.build(), BATCH, keys);
    }

    /** A lead as amoCRM's API v2 webhooks carry it; {@code rich} adds the custom fields of a typical sales lead. */
    static void lead(Form f, String p, long id, long version, int n, boolean rich) {
        f.item(p, "id", id, "name", "Website order #" + n, "status_id", 63012345 + n % 4,
                "price", 1000 + (n * 37L) % 90000, "responsible_user_id", 10456789 + n % 3,
                "last_modified", version, "modified_user_id", 10456790, "created_user_id", 10456789,
                "date_create", version - 3600, "pipeline_id", 7654321);
        f.item(p + "[tags][0]", "id", 512301, "name", "website");
        f.item(p, "account_id", ACCOUNT_ID);
        if (rich) {
            customField(f, p, 0, 1100002, "utm_source", "UTM_SOURCE", "google", null);
            customField(f, p, 1, 1100101, "Lead source", null, "Website form", "2200101");
            customField(f, p, 2, 1100103, "Budget", null, String.valueOf(150000 + n % 1000), null);
            customField(f, p, 3, 1100104, "Comment", null,
                    "Call after 6 pm, gate code 1234#\nAsk for John & Mary (50% prepaid) — доставка в пятницу", null);
        } else {
            customField(f, p, 0, 1100103, "Budget", null, String.valueOf(150000 + n % 1000), null);
        }
        f.item(p, "created_at", version - 3600, "updated_at", version);
    }

    static void customField(Form f, String p, int index, long id, String name, String code, String value, String enumId) {
        String cf = p + "[custom_fields][" + index + "]";
        f.item(cf, "id", id, "name", name);
        f.field(cf + "[values][0][value]", value);
        if (enumId != null) {
            f.field(cf + "[values][0][enum]", enumId);
        }
        if (code != null) {
            f.field(cf + "[code]", code);
        }
    }

    /**
     * A realistic stream: mostly single events of every entity and action, some bulk edits, and the irregularities
     * amoCRM really produces (re-deliveries of a whole request, the same event in another request, updates out
     * of order, entities the server does not model).
     */
    static final class Mixed implements Generator {
        private final String prefix;
        private final Random random;
        private final List<Request> history = new ArrayList<>();
        private final List<long[]> leadUpdates = new ArrayList<>(); // {id, version, n}
        private final List<Long> leads = new ArrayList<>();
        private final List<Long> contacts = new ArrayList<>();
        private final List<Long> companies = new ArrayList<>();
        private final List<Long> tasks = new ArrayList<>();
        private final List<Long> talks = new ArrayList<>();
        private final List<Long> customers = new ArrayList<>();
        private final List<String> unsorted = new ArrayList<>();
        private long leadSeq = 400_000_000L;
        private long contactSeq = 410_000_000L;
        private long companySeq = 420_000_000L;
        private long taskSeq = 430_000_000L;
        private long noteSeq = 440_000_000L;
        private long customerSeq = 450_000_000L;
        private long talkSeq = 460_000_000L;
        private long catalogSeq = 470_000_000L;

        private static final String[] OPS = {
            "lead-update:24", "lead-add:8", "lead-status:6", "lead-status-dp:3", "lead-responsible:3", "lead-delete:2",
            "lead-restore:1", "lead-note:3", "contact-add:4", "contact-update:5", "company-add:3", "company-update:1",
            "task-add:4", "task-update:2", "task-delete:1", "unsorted-add:3", "unsorted-accept:1", "message-add:5",
            "talk-add:1", "talk-update:1", "customer-add:1", "customer-update:1", "unknown:1", "bulk:5",
            "exact-duplicate:3", "same-event-again:2", "out-of-order:2"};
        private final List<String> wheel = new ArrayList<>();

        Mixed(String prefix, long seed) {
            this.prefix = prefix;
            this.random = new Random(seed);
            for (String op : OPS) {
                int colon = op.indexOf(':');
                for (int k = 0; k < Integer.parseInt(op.substring(colon + 1)); k++) {
                    wheel.add(op.substring(0, colon));
                }
            }
        }

        @Override
        public Request next(int i) {
            String op = wheel.get(random.nextInt(wheel.size()));
            if (op.equals("exact-duplicate") && history.size() >= 300) {
                // amoCRM retrying a request it thinks failed: same bytes, same X-Amocrm-Requestid
                int from = Math.max(0, history.size() - 3000);
                return history.get(from + random.nextInt(history.size() - 200 - from));
            }
            Request r = build(op.equals("exact-duplicate") ? "lead-update" : op, i);
            history.add(r);
            if (history.size() > 5000) {
                history.subList(0, 1000).clear();
            }
            return r;
        }

        private Request build(String op, int i) {
            long version = T0 + 2L * i;
            List<String> keys = new ArrayList<>();
            Form f = new Form();
            boolean accountLast = random.nextInt(4) == 0; // older captures put the account block last
            if (!accountLast) {
                f.account();
            }
            int events = 1;
            switch (op) {
                case "lead-update" -> {
                    long id = pickOrNew(leads, () -> leadSeq++);
                    lead(f, "leads[update][0]", id, version, i, random.nextBoolean());
                    leadUpdates.add(new long[] {id, version, i});
                    keys.add("amo_leads:" + id);
                }
                case "lead-add" -> {
                    long id = leadSeq++;
                    leads.add(id);
                    lead(f, "leads[add][0]", id, version, i, true);
                    keys.add("amo_leads:" + id);
                }
                case "lead-status" -> {
                    long id = pickOrNew(leads, () -> leadSeq++);
                    f.item("leads[status][0]", "id", id, "name", "Website order #" + i, "status_id", 142,
                            "old_status_id", 63012346, "price", 12500, "responsible_user_id", 10456789,
                            "last_modified", version, "modified_user_id", 10456790, "pipeline_id", 7654321,
                            "account_id", ACCOUNT_ID, "created_at", version - 7200, "updated_at", version);
                    keys.add("amo_leads:" + id);
                }
                case "lead-status-dp" -> {
                    // Digital Pipeline: minimal body, no times, account last without _links
                    long id = pickOrNew(leads, () -> leadSeq++);
                    Form dp = new Form();
                    dp.item("leads[status][0]", "id", id, "status_id", 63012346 + i % 3, "pipeline_id", 7654321,
                            "old_status_id", 63012345, "old_pipeline_id", 7654321);
                    dp.field("account[id]", ACCOUNT_ID).field("account[subdomain]", SUBDOMAIN);
                    keys.add("amo_leads:" + id);
                    return new Request(prefix + i, dp.build(), 1, keys);
                }
                case "lead-responsible" -> {
                    long id = pickOrNew(leads, () -> leadSeq++);
                    f.item("leads[responsible][0]", "id", id, "responsible_user_id", 10456791,
                            "old_responsible_user_id", 10456789, "last_modified", version, "updated_at", version,
                            "account_id", ACCOUNT_ID);
                    keys.add("amo_leads:" + id);
                }
                case "lead-delete" -> {
                    long id = pickOrNew(leads, () -> leadSeq++);
                    f.item("leads[delete][0]", "id", id, "status_id", 143, "pipeline_id", 7654321);
                    keys.add("amo_leads:" + id);
                }
                case "lead-restore" -> {
                    long id = pickOrNew(leads, () -> leadSeq++);
                    f.item("leads[restore][0]", "id", id, "name", "Website order #" + i, "status_id", 63012345,
                            "pipeline_id", 7654321, "updated_at", version, "account_id", ACCOUNT_ID);
                    keys.add("amo_leads:" + id);
                }
                case "lead-note" -> {
                    long id = noteSeq++;
                    long lead = pickOrNew(leads, () -> leadSeq++);
                    f.item("leads[note][0][note]", "id", id, "element_id", lead, "element_type", 2, "note_type", 4,
                            "text", "Клиент просит скидку 5% — call back at 15:30", "date_create", "2024-11-26 14:32:10",
                            "created_at", version, "timestamp_x", "2024-11-26 14:32:10",
                            "created_user_id", 10456789, "responsible_user_id", 10456789, "account_id", ACCOUNT_ID);
                    keys.add("amo_notes:" + id);
                }
                case "contact-add", "contact-update" -> {
                    boolean add = op.equals("contact-add");
                    long id = add ? contactSeq++ : pickOrNew(contacts, () -> contactSeq++);
                    if (add) {
                        contacts.add(id);
                    }
                    contact(f, "contacts[" + (add ? "add" : "update") + "][0]", id, version, i, "contact");
                    keys.add("amo_contacts:" + id);
                }
                case "company-add" -> {
                    long id = companySeq++;
                    companies.add(id);
                    contact(f, "contacts[add][0]", id, version, i, "company");
                    keys.add("amo_companies:" + id);
                }
                case "company-update" -> {
                    long id = pickOrNew(companies, () -> companySeq++);
                    contact(f, "companies[update][0]", id, version, i, "company");
                    keys.add("amo_companies:" + id);
                }
                case "task-add", "task-update" -> {
                    boolean add = op.equals("task-add");
                    long id = add ? taskSeq++ : pickOrNew(tasks, () -> taskSeq++);
                    if (add) {
                        tasks.add(id);
                    }
                    f.item("task[" + (add ? "add" : "update") + "][0]", "id", id,
                            "element_id", pickOrNew(leads, () -> leadSeq++), "element_type", 2, "task_type", 1,
                            "text", "Call the client back about delivery", "status", add ? 0 : 1,
                            "account_id", ACCOUNT_ID, "created_user_id", 10456789, "modified_user_id", 10456789,
                            "responsible_user_id", 10456790, "complete_till", version + 86400,
                            "date_create", version - 60, "last_modified", version, "created_at", version - 60,
                            "updated_at", version);
                    keys.add("amo_tasks:" + id);
                }
                case "task-delete" -> {
                    long id = pickOrNew(tasks, () -> taskSeq++);
                    f.item("task[delete][0]", "id", id);
                    keys.add("amo_tasks:" + id);
                }
                case "unsorted-add" -> {
                    String uid = uid();
                    unsorted.add(uid);
                    long lead = leadSeq++;
                    f.item("unsorted[add][0]", "uid", uid, "source", "telegram:1c9f0d2e-3b4a-5c6d-8e7f-90a1b2c3d4e5",
                            "source_uid", "amojo:telegram:" + uuid(), "category", "chats");
                    f.item("unsorted[add][0][source_data]", "from", "Ivan Petrov", "name", "Ivan Petrov",
                            "date", version, "service", "telegram", "site", "Telegram");
                    f.item("unsorted[add][0][source_data][client]", "name", "Ivan Petrov", "id", 5550123456L + i);
                    f.item("unsorted[add][0][source_data][data][0]", "id", uuid(), "manager", 0, "date", version,
                            "text", "Hello! Is the corner sofa still available? 🛋️");
                    f.item("unsorted[add][0]", "date_create", version);
                    f.field("unsorted[add][0][data][contacts][0][id]", String.valueOf(contactSeq++));
                    f.item("unsorted[add][0]", "pipeline_id", 7654321, "account_id", ACCOUNT_ID,
                            "source_id", 22500001, "lead_id", lead, "created_at", version);
                    keys.add("amo_unsorted:" + uid);
                }
                case "unsorted-accept" -> {
                    String uid = unsorted.isEmpty() ? uid() : unsorted.remove(random.nextInt(unsorted.size()));
                    f.item("unsorted[delete][0]", "uid", uid, "action", "accept",
                            "accept_result[leads][0]", leadSeq++);
                    keys.add("amo_unsorted:" + uid);
                }
                case "message-add" -> {
                    String id = uuid();
                    long talk = pickOrNew(talks, () -> talkSeq++);
                    f.item("message[add][0]", "id", id, "chat_id", "chat-" + talk, "talk_id", talk,
                            "contact_id", pickOrNew(contacts, () -> contactSeq++), "text", "Привет! Диван ещё есть? 🛋️ #" + i,
                            "element_id", pickOrNew(leads, () -> leadSeq++), "entity_type", "lead",
                            "author[id]", uuid(), "author[type]", "external", "author[name]", "Ivan Petrov",
                            "origin", "telegram", "created_at", version);
                    keys.add("amo_messages:" + id);
                }
                case "talk-add", "talk-update" -> {
                    boolean add = op.equals("talk-add");
                    long id = add ? talkSeq++ : pickOrNew(talks, () -> talkSeq++);
                    if (add) {
                        talks.add(id);
                    }
                    f.item("talk[" + (add ? "add" : "update") + "][0]", "talk_id", id, "chat_id", "chat-" + id,
                            "contact_id", pickOrNew(contacts, () -> contactSeq++), "entity_id", pickOrNew(leads, () -> leadSeq++),
                            "entity_type", "lead", "is_in_work", 1, "is_read", add ? 0 : 1, "origin", "telegram",
                            "created_at", version - 60, "updated_at", version);
                    keys.add("amo_talks:" + id);
                }
                case "customer-add", "customer-update" -> {
                    boolean add = op.equals("customer-add");
                    long id = add ? customerSeq++ : pickOrNew(customers, () -> customerSeq++);
                    if (add) {
                        customers.add(id);
                    }
                    f.item("customers[" + (add ? "add" : "update") + "][0]", "id", id, "name", "Coffee subscription #" + i,
                            "next_price", "1500.50", "next_date", version + 2_592_000L, "periodicity", 30,
                            "responsible_user_id", 10456789, "account_id", ACCOUNT_ID, "updated_at", version);
                    keys.add("amo_customers:" + id);
                }
                case "unknown" -> {
                    // an entity the server does not model: kept as "ignored" in webhook_events, no entity row
                    f.item("catalogs[add][0]", "id", catalogSeq++, "name", "Price list " + i, "catalog_id", 5101,
                            "updated_at", version);
                }
                case "bulk" -> {
                    int leadsInBulk = 2 + random.nextInt(19);
                    for (int j = 0; j < leadsInBulk; j++) {
                        long id = j % 2 == 0 ? pickOrNew(leads, () -> leadSeq++) : leadSeq++;
                        lead(f, "leads[update][" + j + "]", id, version, i * 64 + j, false);
                        keys.add("amo_leads:" + id);
                    }
                    int contactsInBulk = random.nextInt(4);
                    for (int j = 0; j < contactsInBulk; j++) {
                        long id = pickOrNew(contacts, () -> contactSeq++);
                        contact(f, "contacts[update][" + j + "]", id, version, i, "contact");
                        keys.add("amo_contacts:" + id);
                    }
                    events = leadsInBulk + contactsInBulk;
                }
                case "same-event-again" -> {
                    // the same lead update (same id, action, updated_at) in a request with other bytes: applied once
                    long[] earlier = leadUpdates.isEmpty() ? new long[] {leadSeq++, version, i}
                            : leadUpdates.get(Math.max(0, leadUpdates.size() - 1 - random.nextInt(Math.min(leadUpdates.size(), 200))));
                    long other = leadSeq++;
                    lead(f, "leads[update][0]", other, version, i, false);
                    lead(f, "leads[update][1]", earlier[0], earlier[1], (int) earlier[2], false);
                    keys.add("amo_leads:" + other);
                    keys.add("amo_leads:" + earlier[0]);
                    events = 2;
                }
                case "out-of-order" -> {
                    // an update older than one already sent: stale if the newer one is stored first
                    long[] earlier = leadUpdates.isEmpty() ? new long[] {leadSeq++, version, i}
                            : leadUpdates.get(random.nextInt(leadUpdates.size()));
                    lead(f, "leads[update][0]", earlier[0], earlier[1] - 1, i, false);
                    keys.add("amo_leads:" + earlier[0]);
                }
                default -> throw new IllegalStateException(op);
            }
            if (accountLast) {
                f.account();
            }
            return new Request(prefix + i, f.build(), events, keys);
        }

        private void contact(Form f, String p, long id, long version, int n, String type) {
            f.item(p, "id", id, "name", type.equals("company") ? "Acme Logistics " + n : "John Smith " + n,
                    "responsible_user_id", 10456789, "date_create", version - 600, "last_modified", version,
                    "created_user_id", 10456789, "modified_user_id", 10456789, "account_id", ACCOUNT_ID);
            customField(f, p, 0, 1000001, "Phone", "PHONE", "+1 415 555 " + (1000 + n % 9000), "1000101");
            customField(f, p, 1, 1000003, "Email", "EMAIL", "client" + n + "+crm@example.com", "1000111");
            f.field(p + "[linked_leads_id][" + (400_000_000L + n) + "][ID]", String.valueOf(400_000_000L + n));
            f.item(p, "created_at", version - 600, "updated_at", version, "type", type);
        }

        private long pickOrNew(List<Long> known, java.util.function.LongSupplier fresh) {
            if (known.isEmpty() || random.nextInt(5) == 0) {
                long id = fresh.getAsLong();
                known.add(id);
                return id;
            }
            return known.get(random.nextInt(known.size()));
        }

        private String uuid() {
            return new UUID(random.nextLong(), random.nextLong()).toString();
        }

        private String uid() {
            return HexFormat.of().formatHex(new byte[] {
                (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt()})
                    + uuid().replace("-", "") + "bench";
        }
    }

    /** A form body, encoded like PHP's http_build_query: brackets as %5B/%5D, space as '+'. */
    static final class Form {
        private final StringBuilder body = new StringBuilder(2048);

        Form account() {
            return field("account[subdomain]", SUBDOMAIN).field("account[id]", ACCOUNT_ID)
                    .field("account[_links][self]", "https://" + SUBDOMAIN + ".amocrm.ru");
        }

        Form field(String key, String value) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(encode(key)).append('=').append(encode(value));
            return this;
        }

        /** {@code prefix[k1]=v1&prefix[k2]=v2...}; a key may itself hold brackets ({@code author[id]}). */
        Form item(String prefix, Object... keyValues) {
            for (int k = 0; k < keyValues.length; k += 2) {
                String key = String.valueOf(keyValues[k]);
                int bracket = key.indexOf('[');
                String path = bracket < 0 ? "[" + key + "]" : "[" + key.substring(0, bracket) + "]" + key.substring(bracket);
                field(prefix + path, String.valueOf(keyValues[k + 1]));
            }
            return this;
        }

        String build() {
            return body.toString();
        }

        static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("~", "%7E");
        }
    }
}
