package dev.amowebhook.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.amowebhook.FormBody;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The form parser against the wire format of FORMAT.md: the samples, every decoding quirk and every refusal. */
class FormTreeParserTest {

    private final FormTreeParser parser = new FormTreeParser(10_000, 32);

    // ---------------------------------------------------------------- the sample bodies

    @ParameterizedTest
    @ValueSource(strings = {"companies-add.form", "contacts-add.form", "leads-add.form", "leads-delete.form",
            "leads-status-dp.form", "leads-status.form", "leads-update-custom-fields.form", "tasks-add.form",
            "unsorted-add.form"})
    void everySampleBodyParsesAndCarriesTheAccount(String sample) throws IOException {
        Map<String, Object> tree = parser.parse(sample(sample));

        assertThat(tree).containsKey("account");
        assertThat(at(tree, "account", "id")).isEqualTo("31234567");
        assertThat(at(tree, "account", "subdomain")).isEqualTo("examplecrm");
        assertThat(tree.keySet()).hasSize(2);
    }

    @Test
    void companySampleKeepsLinkedLeadsAsAMapKeyedByLeadIdAndDecodesTheUrlValue() throws IOException {
        Map<String, Object> tree = parser.parse(sample("companies-add.form"));

        assertThat(new ArrayList<>(tree.keySet())).containsExactly("account", "contacts");
        assertThat(at(tree, "account", "_links", "self")).isEqualTo("https://examplecrm.amocrm.ru");
        assertThat(at(tree, "contacts", "add", "0", "type")).isEqualTo("company");
        assertThat(at(tree, "contacts", "add", "0", "name")).isEqualTo("Acme Logistics LLC");
        assertThat(at(tree, "contacts", "add", "0", "custom_fields", "1", "values", "0", "value"))
                .isEqualTo("https://acme.example.com/contact?ref=crm&lang=en");
        Object linked = at(tree, "contacts", "add", "0", "linked_leads_id");
        assertThat(linked).isInstanceOf(Map.class);
        assertThat(map(linked)).containsOnlyKeys("24567891");
        assertThat(at(tree, "contacts", "add", "0", "linked_leads_id", "24567891", "ID")).isEqualTo("24567891");
    }

    @Test
    void contactSampleDecodesPlusSignsAndSpacesInPhonesAndEmails() throws IOException {
        Map<String, Object> tree = parser.parse(sample("contacts-add.form"));

        assertThat(at(tree, "contacts", "add", "0", "custom_fields", "0", "values", "0", "value"))
                .isEqualTo("+1 415 555 0134");
        assertThat(at(tree, "contacts", "add", "0", "custom_fields", "0", "code")).isEqualTo("PHONE");
        assertThat(at(tree, "contacts", "add", "0", "custom_fields", "1", "values", "0", "value"))
                .isEqualTo("john.smith+crm@example.com");
        assertThat(at(tree, "contacts", "add", "0", "custom_fields", "1", "values", "0", "enum")).isEqualTo("1000111");
        assertThat(at(tree, "contacts", "add", "0", "linked_leads_id", "24567891", "ID")).isEqualTo("24567891");
        assertThat(at(tree, "contacts", "add", "0", "type")).isEqualTo("contact");
    }

    @Test
    void leadAddSampleDecodesHashAndKeepsNumbersAsStrings() throws IOException {
        Map<String, Object> tree = parser.parse(sample("leads-add.form"));

        assertThat(at(tree, "leads", "add", "0", "id")).isEqualTo("24567891");
        assertThat(at(tree, "leads", "add", "0", "name")).isEqualTo("Website order #1042");
        assertThat(at(tree, "leads", "add", "0", "price")).isEqualTo("12500");
        assertThat(at(tree, "leads", "add", "0", "created_at")).isEqualTo("1732608015");
    }

    @Test
    void leadDeleteSampleCarriesOnlyIdStatusAndPipeline() throws IOException {
        Map<String, Object> tree = parser.parse(sample("leads-delete.form"));

        assertThat(map(at(tree, "leads", "delete", "0")))
                .containsExactly(Map.entry("id", "24567899"), Map.entry("status_id", "143"),
                        Map.entry("pipeline_id", "7654321"));
    }

    @Test
    void digitalPipelineSampleHasTheAccountBlockLastAndNoLinks() throws IOException {
        Map<String, Object> tree = parser.parse(sample("leads-status-dp.form"));

        assertThat(new ArrayList<>(tree.keySet())).containsExactly("leads", "account");
        assertThat(map(tree.get("account"))).containsOnlyKeys("id", "subdomain");
        assertThat(map(at(tree, "leads", "status", "0"))).containsOnlyKeys(
                "id", "status_id", "pipeline_id", "old_status_id", "old_pipeline_id");
        assertThat(at(tree, "leads", "status", "0", "old_status_id")).isEqualTo("63012345");
        assertThat(at(tree, "leads", "status", "0", "status_id")).isEqualTo("63012346");
    }

    @Test
    void leadStatusSampleCarriesOldStatusAndCustomFields() throws IOException {
        Map<String, Object> tree = parser.parse(sample("leads-status.form"));

        assertThat(at(tree, "leads", "status", "0", "status_id")).isEqualTo("142");
        assertThat(at(tree, "leads", "status", "0", "old_status_id")).isEqualTo("63012346");
        assertThat(at(tree, "leads", "status", "0", "custom_fields", "0", "values", "0", "value"))
                .isEqualTo("Website form");
        assertThat(at(tree, "leads", "status", "0", "custom_fields", "1", "values", "0", "value"))
                .isEqualTo("ORD-1042");
    }

    @Test
    void leadUpdateSampleKeepsEverySpecialCharacterOfTheCommentAndHasTheAccountLast() throws IOException {
        Map<String, Object> tree = parser.parse(sample("leads-update-custom-fields.form"));

        assertThat(new ArrayList<>(tree.keySet())).containsExactly("leads", "account");
        Object lead = at(tree, "leads", "update", "0");
        assertThat(at(tree, "leads", "update", "0", "custom_fields", "5", "values", "0", "value"))
                .isEqualTo("Call after 6 pm, gate code 1234#\nAsk for John & Mary (50% prepaid)");
        // a field with no values at all
        assertThat(map(at(tree, "leads", "update", "0", "custom_fields", "0")))
                .containsOnlyKeys("id", "name", "code");
        // a multiselect with two values
        assertThat(at(tree, "leads", "update", "0", "custom_fields", "3", "values", "1", "value")).isEqualTo("Maintenance");
        assertThat(at(tree, "leads", "update", "0", "custom_fields", "3", "values", "1", "enum")).isEqualTo("2200203");
        assertThat(at(tree, "leads", "update", "0", "tags", "1", "name")).isEqualTo("vip");
        assertThat(map(lead).get("updated_at")).isEqualTo("1732611600");
        assertThat(at(tree, "account", "_links", "self")).isEqualTo("https://examplecrm.amocrm.ru");
    }

    @Test
    void taskSampleIsUnderTheSingularTaskKey() throws IOException {
        Map<String, Object> tree = parser.parse(sample("tasks-add.form"));

        assertThat(tree).containsOnlyKeys("account", "task");
        assertThat(at(tree, "task", "add", "0", "text")).isEqualTo("Call the client back about delivery");
        assertThat(at(tree, "task", "add", "0", "element_type")).isEqualTo("2");
        assertThat(at(tree, "task", "add", "0", "complete_till")).isEqualTo("1732716000");
    }

    @Test
    void unsortedSampleKeepsDeeplyNestedSourceData() throws IOException {
        Map<String, Object> tree = parser.parse(sample("unsorted-add.form"));

        assertThat(at(tree, "unsorted", "add", "0", "uid"))
                .isEqualTo("7f3c2a9e41d84b0c9a1e5f6b2d7c8e90a1b2c3d4e5f60718293a4b5c6d7e");
        assertThat(at(tree, "unsorted", "add", "0", "source_data", "client", "name")).isEqualTo("Ivan Petrov");
        assertThat(at(tree, "unsorted", "add", "0", "source_data", "data", "0", "text"))
                .isEqualTo("Hello! Is the corner sofa still available?");
        assertThat(at(tree, "unsorted", "add", "0", "source_data", "origin", "chat_id"))
                .isEqualTo("5d2e7c1a-9b8f-4e3d-a2c1-0f9e8d7c6b5a");
        assertThat(at(tree, "unsorted", "add", "0", "data", "contacts", "0", "id")).isEqualTo("48123460");
    }

    @Test
    void accountBlockParsesTheSameWhetherItComesFirstOrLast() {
        Map<String, Object> first = parse("account%5Bid%5D=31234567&account%5Bsubdomain%5D=examplecrm"
                + "&leads%5Badd%5D%5B0%5D%5Bid%5D=1");
        Map<String, Object> last = parse("leads%5Badd%5D%5B0%5D%5Bid%5D=1"
                + "&account%5Bid%5D=31234567&account%5Bsubdomain%5D=examplecrm");

        assertThat(first.get("account")).isEqualTo(last.get("account"));
        assertThat(first.get("leads")).isEqualTo(last.get("leads"));
    }

    // ---------------------------------------------------------------- decoding quirks

    @Test
    void plusIsASpaceAndAnEncodedPlusIsAPlus() {
        assertThat(parse("a=John+Smith&b=%2B7+999").get("a")).isEqualTo("John Smith");
        assertThat(parse("a=John+Smith&b=%2B7+999").get("b")).isEqualTo("+7 999");
        assertThat(parse("first+name=x")).containsOnlyKeys("first name");
    }

    @Test
    void percentEscapesDecodeAsUtf8() {
        Map<String, Object> tree = parse("cyr=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2"
                + "&emoji=%F0%9F%98%80%F0%9F%9A%80"
                + "&rub=1%C2%A0000+%E2%82%BD"
                + "&lines=one%0Atwo%0D%0Athree%09tab"
                + "&specials=a%26b%3Dc%23d%25e%2Bf"
                + "&lower=%d0%b4%d0%b0");

        assertThat(tree.get("cyr")).isEqualTo("Иван Петров");
        assertThat(tree.get("emoji")).isEqualTo("😀🚀");
        assertThat(tree.get("rub")).isEqualTo("1\u00A0000 ₽");
        assertThat(tree.get("lines")).isEqualTo("one\ntwo\r\nthree\ttab");
        assertThat(tree.get("specials")).isEqualTo("a&b=c#d%e+f");
        assertThat(tree.get("lower")).isEqualTo("да");
    }

    @Test
    void cyrillicFieldNamesAndBracketsInsideEncodedKeysAreDecoded() {
        Map<String, Object> tree = parse("leads%5Badd%5D%5B0%5D%5B%D0%B8%D0%BC%D1%8F%5D=%D0%B4%D0%B0");

        assertThat(at(tree, "leads", "add", "0", "имя")).isEqualTo("да");
    }

    @Test
    void rawUnencodedUtf8AndLiteralBracketsAreAcceptedToo() {
        Map<String, Object> tree = parse("leads[add][0][name]=Заказ №5&leads[add][0][id]=7");

        assertThat(at(tree, "leads", "add", "0", "name")).isEqualTo("Заказ №5");
        assertThat(at(tree, "leads", "add", "0", "id")).isEqualTo("7");
    }

    @Test
    void anEqualsSignInsideAValueBelongsToTheValue() {
        assertThat(parse("a=b=c").get("a")).isEqualTo("b=c");
        assertThat(parse("a==").get("a")).isEqualTo("=");
    }

    @Test
    void emptyValuesAreKeptAsEmptyStrings() {
        Map<String, Object> tree = parse("leads%5Bupdate%5D%5B0%5D%5Bprice%5D=&leads%5Bupdate%5D%5B0%5D%5Bid%5D=5&x=");

        assertThat(at(tree, "leads", "update", "0", "price")).isEqualTo("");
        assertThat(at(tree, "leads", "update", "0", "id")).isEqualTo("5");
        assertThat(tree.get("x")).isEqualTo("");
    }

    @Test
    void emptyBracketsAppendLikePhp() {
        Map<String, Object> tree = parse("tags%5B%5D=a&tags%5B%5D=b&tags%5B%5D=c");

        assertThat(map(tree.get("tags")))
                .containsExactly(Map.entry("0", "a"), Map.entry("1", "b"), Map.entry("2", "c"));
    }

    @Test
    void emptyBracketsAppendANewItemEachTimeAlsoWhenNested() {
        Map<String, Object> tree = parse("list[][name]=a&list[][name]=b");

        assertThat(at(tree, "list", "0", "name")).isEqualTo("a");
        assertThat(at(tree, "list", "1", "name")).isEqualTo("b");
    }

    @Test
    void emptyBracketsAfterAnExplicitIndexContinueAfterTheHighestIndexLikePhp() {
        // PHP: a[1]=x&a[]=y gives [1 => x, 2 => y]
        Map<String, Object> tree = parse("a[1]=x&a[]=y");

        assertThat(map(tree.get("a"))).containsExactly(Map.entry("1", "x"), Map.entry("2", "y"));
    }

    @Test
    void emptySegmentsBetweenAmpersandsAreIgnored() {
        Map<String, Object> tree = parse("&&a=1&&&b=2&&");

        assertThat(tree).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    }

    @Test
    void anEmptyBodyIsAnEmptyTree() {
        assertThat(parser.parse(new byte[0])).isEmpty();
        assertThat(parse("&&&")).isEmpty();
    }

    @Test
    void numericKeysStayStringKeysInArrivalOrder() {
        Map<String, Object> tree = parse("a[10]=ten&a[2]=two&a[0]=zero");

        assertThat(new ArrayList<>(map(tree.get("a")).keySet())).containsExactly("10", "2", "0");
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void aFieldWithoutEqualsSignIsRefused() {
        assertRefused("a=1&flag", "without '='");
        assertRefused("flag", "without '='");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%4", "a=%", "a=x%", "a=%ZZ", "a=%G1", "a=%4Z", "a=%%41", "a%=1", "a%4=1"})
    void brokenPercentEscapesAreRefused(String body) {
        assertRefused(body, "percent escape");
    }

    @Test
    void aBrokenPercentEscapeInAValueNamesTheField() {
        assertRefused("leads[add][0][name]=%ZZ", "leads[add][0][name]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%C3%28", "a=%FF", "a=%C3", "a=%ED%A0%80", "a=%C0%AF", "%FF=1"})
    void invalidUtf8IsRefused(String body) {
        assertRefused(body, "UTF-8");
    }

    @Test
    void rawInvalidUtf8BytesAreRefused() {
        byte[] body = {'a', '=', (byte) 0xC3, '(', '&', 'b', '=', '1'};

        assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOf(MalformedFormException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void aNulByteInAValueIsRefused() {
        assertRefused("a=x%00y", "NUL");
        assertRefused("a=x%00y", "'a'");
    }

    @Test
    void aNulByteInAFieldNameIsRefused() {
        assertRefused("a%00b=1", "NUL");
        assertRefused("a%00b=1", "field name");
    }

    @Test
    void aRawNulByteIsRefused() {
        byte[] body = {'a', '=', 'x', 0, 'y'};

        assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOf(MalformedFormException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void moreFieldsThanTheLimitAreRefused() {
        FormTreeParser small = new FormTreeParser(3, 32);

        assertThat(small.parse("a=1&b=2&c=3".getBytes(StandardCharsets.UTF_8))).hasSize(3);
        assertThatThrownBy(() -> small.parse("a=1&b=2&c=3&d=4".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedFormException.class)
                .hasMessageContaining("too many form fields")
                .hasMessageContaining("3");
    }

    @Test
    void emptySegmentsDoNotCountTowardsTheFieldLimit() {
        FormTreeParser small = new FormTreeParser(2, 32);

        assertThat(small.parse("&&&a=1&&&&b=2&&&".getBytes(StandardCharsets.UTF_8))).hasSize(2);
    }

    @Test
    void aHugeNumberOfFieldsIsRefusedByTheDefaultLimit() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10_001; i++) {
            body.append("f").append(i).append("=1&");
        }

        assertRefused(body.toString(), "too many form fields");
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        FormTreeParser shallow = new FormTreeParser(100, 4);

        assertThat(shallow.parse("a[b][c]=1".getBytes(StandardCharsets.UTF_8))).containsKey("a");
        assertThatThrownBy(() -> shallow.parse("a[b][c][d][e][f][g]=1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedFormException.class)
                .hasMessageContaining("nested deeper than 4");
    }

    @Test
    void theDefaultDepthLimitAcceptsRealCustomFieldNesting() {
        Map<String, Object> tree = parse("leads[update][0][custom_fields][3][values][1][enum]=2200203");

        assertThat(at(tree, "leads", "update", "0", "custom_fields", "3", "values", "1", "enum")).isEqualTo("2200203");
    }

    @Test
    void aTenThousandLevelDeepKeyIsRefusedQuicklyWithoutStackOverflow() {
        String key = "a" + "[x]".repeat(10_000);
        String encoded = "a" + "%5Bx%5D".repeat(10_000);

        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            Throwable raw = catchThrowable(() -> parse(key + "=1"));
            Throwable enc = catchThrowable(() -> parse(encoded + "=1"));
            assertThat(raw).isInstanceOf(MalformedFormException.class).hasMessageContaining("nested deeper");
            assertThat(enc).isInstanceOf(MalformedFormException.class).hasMessageContaining("nested deeper");
        });
    }

    @Test
    void pathologicalBracketKeysAreRefusedQuickly() {
        String opens = "a" + "[".repeat(50_000) + "]".repeat(50_000) + "=1";
        String longSegments = "a" + ("[" + "x".repeat(5_000) + "]").repeat(40) + "=1";

        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThat(catchThrowable(() -> parse(opens))).isInstanceOf(MalformedFormException.class);
            assertThat(catchThrowable(() -> parse(longSegments))).isInstanceOf(MalformedFormException.class)
                    .hasMessageContaining("nested deeper");
        });
    }

    @Test
    void errorMessagesQuoteOnlyAShortPrefixOfTheKey() {
        String key = "a" + "[x]".repeat(10_000);

        Throwable error = catchThrowable(() -> parse(key + "=1"));

        assertThat(error.getMessage().length()).isLessThan(200);
    }

    @Test
    void duplicateKeysAreRefused() {
        assertRefused("a=1&a=2", "duplicate form field: 'a'");
        assertRefused("leads[add][0][id]=1&leads[add][0][id]=1", "duplicate form field");
    }

    @Test
    void aKeyThatIsBothAValueAndAParentIsRefusedInEitherOrder() {
        assertRefused("a=1&a[b]=2", "conflicts with a plain field");
        assertRefused("a[b]=2&a=1", "conflicts with nested fields");
        assertRefused("leads[add][0][name]=x&leads[add][0][name][first]=y", "conflicts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a]b=1", "[x]=1", "a[b=1", "a[b]c=1", "=1", "a[b[c]]=1", "a[b]]=1", "a]=1",
            "%5Bx%5D=1", "a%5Bb=1"})
    void malformedFieldNamesAreRefused(String body) {
        assertRefused(body, "malformed field name");
    }

    @Test
    void errorMessagesNeverCarryControlCharactersFromTheRequest() {
        Throwable withoutEquals = catchThrowable(() -> parse("a\nb\rc"));
        Throwable badName = catchThrowable(() -> parse("a%0Ab%0D%1B]=1"));

        assertThat(withoutEquals).isInstanceOf(MalformedFormException.class);
        assertThat(badName).isInstanceOf(MalformedFormException.class).hasMessageContaining("malformed field name");
        for (Throwable error : List.of(withoutEquals, badName)) {
            assertThat(error.getMessage()).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001B");
        }
    }

    // ---------------------------------------------------------------- generated inputs

    @Test
    void randomKeysAndValuesEncodedLikeHttpBuildQueryRoundTripExactly() {
        Random random = new Random(20241126L);
        int fields = 3_000;
        List<List<String>> paths = new ArrayList<>();
        List<String> values = new ArrayList<>();
        FormBody body = FormBody.form();
        for (int i = 0; i < fields; i++) {
            List<String> path = new ArrayList<>();
            path.add("f" + i + "_" + randomText(random, 0, 6, true));
            int depth = random.nextInt(5);
            StringBuilder key = new StringBuilder(path.get(0));
            for (int d = 0; d < depth; d++) {
                String segment = random.nextInt(3) == 0
                        ? Integer.toString(random.nextInt(100_000))
                        : randomText(random, 1, 8, true);
                path.add(segment);
                key.append('[').append(segment).append(']');
            }
            String value = randomText(random, 0, 40, false);
            paths.add(path);
            values.add(value);
            body.add(key.toString(), value);
        }

        Map<String, Object> tree = new FormTreeParser(fields, 32).parse(body.bytes());

        assertThat(tree).hasSize(fields);
        for (int i = 0; i < fields; i++) {
            assertThat(at(tree, paths.get(i).toArray(String[]::new)))
                    .as("field %d %s", i, paths.get(i))
                    .isEqualTo(values.get(i));
        }
    }

    @Test
    void randomBytesEitherParseOrAreRefusedAsMalformedNeverAnotherException() {
        Random random = new Random(42L);
        byte[] alphabet = "%[]=&+aZ09_-.x\u0000".getBytes(StandardCharsets.ISO_8859_1);
        FormTreeParser small = new FormTreeParser(50, 6);
        int parsed = 0;
        int refused = 0;
        for (int round = 0; round < 5_000; round++) {
            byte[] body = new byte[random.nextInt(120)];
            for (int i = 0; i < body.length; i++) {
                body[i] = random.nextInt(3) == 0
                        ? (byte) random.nextInt(256)
                        : alphabet[random.nextInt(alphabet.length)];
            }
            for (FormTreeParser p : List.of(parser, small)) {
                try {
                    assertThat(p.parse(body)).isNotNull();
                    parsed++;
                } catch (MalformedFormException e) {
                    assertThat(e.getMessage()).isNotBlank();
                    refused++;
                } catch (RuntimeException | Error e) {
                    fail("body " + java.util.Arrays.toString(body) + " threw " + e, e);
                }
            }
        }
        // the generator must exercise both outcomes, or the test proves nothing
        assertThat(parsed).isGreaterThan(100);
        assertThat(refused).isGreaterThan(100);
    }

    @Test
    void randomWellFormedPrefixesWithGarbageEitherParseOrAreRefusedAsMalformed() {
        Random random = new Random(7L);
        String[] pieces = {"leads", "[", "]", "%5B", "%5D", "add", "0", "1", "=", "&", "%", "%2", "%C3", "%28",
                "%00", "+", "%D0%98", "%F0%9F%98%80", "[]", "%5B%5D", "x"};
        for (int round = 0; round < 5_000; round++) {
            StringBuilder body = new StringBuilder();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                body.append(pieces[random.nextInt(pieces.length)]);
            }
            try {
                parse(body.toString());
            } catch (MalformedFormException e) {
                assertThat(e.getMessage()).isNotBlank();
            } catch (RuntimeException | Error e) {
                fail("body '" + body + "' threw " + e, e);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Random text of valid code points (surrogate pairs included), never NUL; brackets only when allowed. */
    private static String randomText(Random random, int min, int max, boolean forKey) {
        String specials = forKey ? "%+&=# .-_\u00A0₽\n\t" : "%+&=#[]. -_\u00A0₽\n\t\r'\"\\/?";
        int length = min + random.nextInt(max - min + 1);
        StringBuilder out = new StringBuilder();
        while (out.codePointCount(0, out.length()) < length) {
            int kind = random.nextInt(6);
            int cp;
            switch (kind) {
                case 0 -> cp = specials.charAt(random.nextInt(specials.length()));
                case 1 -> cp = 'a' + random.nextInt(26);
                case 2 -> cp = 0x0400 + random.nextInt(0x100);          // Cyrillic
                case 3 -> cp = 0x1F300 + random.nextInt(0x300);         // emoji: surrogate pairs in UTF-16
                case 4 -> cp = 0x10000 + random.nextInt(0x10FFFF - 0x10000); // any supplementary code point
                default -> {
                    cp = 1 + random.nextInt(0xFFFF);
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        cp = 'z';                                    // no lone surrogates: not encodable
                    }
                }
            }
            if (forKey && (cp == '[' || cp == ']')) {
                cp = '_';
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private Map<String, Object> parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRefused(String body, String messagePart) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(MalformedFormException.class)
                .hasMessageContaining(messagePart);
    }

    private static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(Path.of("samples", name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    private static Object at(Map<String, Object> tree, String... path) {
        Object node = tree;
        for (String segment : path) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(segment)) {
                fail("no '" + segment + "' in path " + List.of(path) + " of " + tree);
                return null;
            }
            node = map.get(segment);
        }
        return node;
    }
}
