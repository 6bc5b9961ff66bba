#!/usr/bin/env python3
"""Sends realistic amoCRM webhook traffic to a running server (make webhook-simulate).

    scripts/webhook-simulate.py [--url URL] [--count N] [--rate R] [--seed S] [--auth auto|signature|token|none] [-v]

The traffic follows a sales story, repeated with fresh ids until --count requests are sent. One story
(STORY_REQUESTS requests) covers every entity and action amoCRM sends: leads (add, update, status, responsible,
note, delete, restore, a Digital Pipeline status body), contacts and companies (under "contacts" with type=contact
or type=company, and under "companies"), tasks, notes on leads, contacts and customers, unsorted (add, update,
accept, decline), chat talks and messages, customers. On the way it sends what real traffic contains:
  * batches: bulk edits with several items, and several entities in one request;
  * Cyrillic, emoji and characters that need encoding (& = # % + newlines) in values;
  * duplicates: a body re-sent byte for byte, and a retry with the same X-Amocrm-Requestid;
  * out-of-order updates: an update with an older updated_at after a newer one (answered stale, not applied).

Requests are signed with AMOCRM_CLIENT_SECRET (X-Signature, or WEBHOOK_SIGNATURE_HEADER) when it is set, else sent
unsigned to the token URL .../<AMOCRM_WEBHOOK_TOKEN> the way amoCRM itself sends them (--auth chooses). Both come
from the environment, else from .env. The account block names AMOCRM_DOMAIN / AMOCRM_ACCOUNT_ID when they are set.

Prints one line per request (what was sent, what the server answered, and whether that is the expected
answer) and a summary with the rows the traffic should leave in a database that had none of these ids.
Exits 1 when a request is not answered 2xx or an answer is not the expected one.
"""

import argparse
import hashlib
import os
import sys
import time
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import amo_webhook as amo  # noqa: E402

PIPELINE = "7654321"
STAGE_NEW, STAGE_TALKS, STAGE_OFFER, WON, LOST = "63012345", "63012346", "63012347", "142", "143"
MANAGER, SENIOR, ROBOT = "10456789", "10456790", "10456791"

# Where each entity's rows land (webhook key, or "contacts" by type) and the column that keys them.
TABLES = {
    "lead": "amo_leads", "contact": "amo_contacts", "company": "amo_companies", "task": "amo_tasks",
    "note": "amo_notes", "unsorted": "amo_unsorted", "message": "amo_messages", "talk": "amo_talks",
    "customer": "amo_customers",
}


class Webhook:
    """One request: its form fields, a description, the answer expected, and the rows it touches."""

    def __init__(self, title, detail="", expect=None):
        self.title = title
        self.detail = detail
        self.fields = []
        self.expect = expect or {}
        self.rows = []            # (table, key) of every item
        self.events = 0
        self.stage_changes = 0
        self.body = None          # set for a re-send of another request's bytes
        self.amo_request_id = amo.request_id()
        self.account_last = False  # older captures put the account block last
        self.resend_of = None      # another Webhook whose exact bytes this one re-sends
        self.same_request_id_as = None  # another Webhook whose X-Amocrm-Requestid this one reuses

    def item(self, prefix, entity, key, pairs):
        for name, value in pairs:
            bracket = name.find("[")
            field = "[%s]" % name if bracket < 0 else "[%s]%s" % (name[:bracket], name[bracket:])
            self.fields.append((prefix + field, value))
        self.rows.append((TABLES[entity], str(key)))
        self.events += 1
        return self

    def encode(self, account):
        if self.body is None:
            fields = self.fields + account if self.account_last else account + self.fields
            self.body = amo.form_body(fields)
        return self.body


def custom_field(index, field_id, name, values, code=None):
    prefix = "custom_fields[%d]" % index
    pairs = [(prefix + "[id]", field_id), (prefix + "[name]", name)]
    for j, value in enumerate(values):
        if isinstance(value, tuple):
            pairs += [(prefix + "[values][%d][value]" % j, value[0]), (prefix + "[values][%d][enum]" % j, value[1])]
        else:
            pairs.append((prefix + "[values][%d][value]" % j, value))
    if code:
        pairs.append((prefix + "[code]", code))
    return pairs


def tags(*names):
    pairs = []
    for i, (tag_id, name) in enumerate(names):
        pairs += [("tags[%d][id]" % i, tag_id), ("tags[%d][name]" % i, name)]
    return pairs


def story(n, base, t0, account_id):
    """The webhooks of one story; n numbers the story, base is its first id, t0 its first unix time."""
    L1, L2, L3 = base + 1, base + 2, base + 3
    C1, CO1, C2 = base + 11, base + 12, base + 13
    T1, T2 = base + 21, base + 22
    N1, N2, N3 = base + 31, base + 32, base + 33
    CU1, TALK = base + 41, base + 45
    U1 = hashlib.sha1(("unsorted-%d-1" % base).encode()).hexdigest() + "%08x" % n
    U2 = hashlib.sha1(("unsorted-%d-2" % base).encode()).hexdigest() + "%08x" % n
    CHAT = str(uuid.uuid5(uuid.NAMESPACE_URL, "chat-%d" % base))
    M1 = str(uuid.uuid5(uuid.NAMESPACE_URL, "message-%d-1" % base))
    M2 = str(uuid.uuid5(uuid.NAMESPACE_URL, "message-%d-2" % base))

    def t(seconds):
        return str(t0 + seconds)

    def times(created, updated):
        return [("date_create", t(created)), ("last_modified", t(updated)), ("created_at", t(created)),
                ("updated_at", t(updated))]

    sofa = "Заказ №%d: диван «Честер», доставка в Москву" % (1042 + n)
    web_order = "Website order #%d 🚀" % (5000 + n)
    hooks = []

    # 1. A bulk add: two leads in one request.
    w = Webhook("leads add ×2", "«%s», «%s»" % (sofa, web_order), {"stored": 2})
    w.item("leads[add][0]", "lead", L1, [
        ("id", L1), ("name", sofa), ("status_id", STAGE_NEW), ("price", "125000"), ("responsible_user_id", MANAGER),
        ("modified_user_id", MANAGER), ("created_user_id", MANAGER), ("pipeline_id", PIPELINE),
        ("account_id", account_id)] + times(0, 0)
        + tags(("512301", "диваны")) + custom_field(0, "1100101", "Источник", [("Сайт", "2200101")]))
    w.item("leads[add][1]", "lead", L2, [
        ("id", L2), ("name", web_order), ("status_id", STAGE_NEW), ("price", "4990.50"),
        ("responsible_user_id", MANAGER), ("pipeline_id", PIPELINE), ("account_id", account_id)] + times(1, 1))
    hooks.append(w)

    # 2. A contact and a company in one request: amoCRM sends companies under "contacts" with type=company.
    w = Webhook("contacts add (contact + company)", "«Иван Петров 👤», «ООО «Ромашка» 🌼»", {"stored": 2})
    w.item("contacts[add][0]", "contact", C1, [
        ("id", C1), ("name", "Иван Петров 👤"), ("responsible_user_id", MANAGER), ("created_user_id", MANAGER),
        ("modified_user_id", MANAGER), ("account_id", account_id)] + times(2, 2)
        + custom_field(0, "1000001", "Телефон", [("+7 999 123-45-67", "1000101")], "PHONE")
        + custom_field(1, "1000003", "Email", [("ivan.petrov+crm@example.ru", "1000111")], "EMAIL")
        + [("linked_leads_id[%d][ID]" % L1, L1), ("type", "contact")])
    w.item("contacts[add][1]", "company", CO1, [
        ("id", CO1), ("name", "ООО «Ромашка» 🌼"), ("responsible_user_id", MANAGER), ("account_id", account_id)]
        + times(2, 2)
        + custom_field(0, "1000007", "Web", ["https://romashka.example.ru/?ref=crm&lang=ru"], "WEB")
        + [("linked_leads_id[%d][ID]" % L1, L1), ("type", "company")])
    hooks.append(w)

    # 3. An update with custom fields: a multiselect, a field without values, a text that needs encoding.
    comment = "Позвонить после 18:00, код домофона 12#\nСпросить Марию (50% предоплата) & уточнить адрес = ?"
    update = Webhook("leads update", "id %d: price 119000, tags, custom fields, comment with & = # %% and a newline"
                     % L1, {"stored": 1})
    update.item("leads[update][0]", "lead", L1, [
        ("id", L1), ("name", sofa), ("status_id", STAGE_NEW), ("price", "119000"), ("responsible_user_id", MANAGER),
        ("modified_user_id", SENIOR), ("created_user_id", MANAGER), ("pipeline_id", PIPELINE),
        ("account_id", account_id)] + times(0, 5)
        + tags(("512301", "диваны"), ("512302", "vip"))
        + custom_field(0, "1100001", "utm_medium", [], "UTM_MEDIUM")
        + custom_field(1, "1100101", "Источник", [("Сайт", "2200101")])
        + custom_field(2, "1100102", "Услуги", [("Доставка", "2200201"), ("Сборка", "2200203")])
        + custom_field(3, "1100104", "Комментарий", [comment]))
    hooks.append(update)

    # 4. The same body again (amoCRM retried: the answer did not reach it): recognised, not applied twice.
    w = Webhook("leads update (re-sent: same body)", "id %d, byte for byte as request 3" % L1,
                {"status": "duplicate"})
    w.fields, w.rows, w.events = update.fields, [], 0
    w.resend_of = update
    hooks.append(w)

    # 5. A retry with the same X-Amocrm-Requestid whose body lists the account block last.
    w = Webhook("leads update (retry: same X-Amocrm-Requestid)", "id %d, account block last" % L1,
                {"status": "duplicate"})
    w.fields, w.rows, w.events = update.fields, [], 0
    w.same_request_id_as = update
    w.account_last = True
    hooks.append(w)

    # 6. The lead moves to the next stage.
    w = Webhook("leads status", "id %d: stage %s -> %s" % (L1, STAGE_NEW, STAGE_TALKS), {"stored": 1})
    w.item("leads[status][0]", "lead", L1, [
        ("id", L1), ("name", sofa), ("status_id", STAGE_TALKS), ("old_status_id", STAGE_NEW), ("price", "119000"),
        ("responsible_user_id", MANAGER), ("modified_user_id", SENIOR), ("pipeline_id", PIPELINE),
        ("account_id", account_id)] + times(0, 10))
    w.stage_changes = 1
    hooks.append(w)

    # 7 and 8. Out of order: the newer update arrives first, the older one after it.
    w = Webhook("leads update (newer)", "id %d: «%s (v2)», updated_at %s" % (L2, web_order, t(20)), {"stored": 1})
    w.item("leads[update][0]", "lead", L2, [
        ("id", L2), ("name", web_order + " (v2)"), ("status_id", STAGE_NEW), ("price", "5490"),
        ("pipeline_id", PIPELINE), ("account_id", account_id)] + times(1, 20))
    hooks.append(w)
    w = Webhook("leads update (older, arrives late)", "id %d: «%s (v1, late)», updated_at %s" % (L2, web_order, t(15)),
                {"stale": 1})
    w.item("leads[update][0]", "lead", L2, [
        ("id", L2), ("name", web_order + " (v1, late)"), ("status_id", STAGE_NEW), ("price", "4990.50"),
        ("pipeline_id", PIPELINE), ("account_id", account_id)] + times(1, 15))
    hooks.append(w)

    # 9. Another manager takes the lead.
    w = Webhook("leads responsible", "id %d: responsible %s -> %s" % (L1, MANAGER, SENIOR), {"stored": 1})
    w.item("leads[responsible][0]", "lead", L1, [
        ("id", L1), ("name", sofa), ("status_id", STAGE_TALKS), ("responsible_user_id", SENIOR),
        ("old_responsible_user_id", MANAGER), ("pipeline_id", PIPELINE), ("account_id", account_id)] + times(0, 12))
    hooks.append(w)

    # 10. A note on the lead: notes come wrapped, leads[note][0][note][...], with local-time date strings.
    w = Webhook("leads note", "note %d on lead %d: «Клиент просит скидку 5%% 💸»" % (N1, L1), {"stored": 1})
    w.item("leads[note][0][note]", "note", N1, [
        ("id", N1), ("element_id", L1), ("element_type", "2"), ("note_type", "4"),
        ("text", "Клиент просит скидку 5% 💸"), ("responsible_user_id", SENIOR), ("created_user_id", SENIOR),
        ("account_id", account_id), ("date_create", "2024-11-26 14:32:10"), ("timestamp_x", "2024-11-26 14:32:10"),
        ("created_at", t(13)), ("updated_at", t(13))])
    hooks.append(w)

    # 11. The company renamed, sent under the "companies" key.
    w = Webhook("companies update", "id %d: «ООО «Ромашка и партнёры» 🌼»" % CO1, {"stored": 1})
    w.item("companies[update][0]", "company", CO1, [
        ("id", CO1), ("name", "ООО «Ромашка и партнёры» 🌼"), ("responsible_user_id", MANAGER),
        ("account_id", account_id), ("type", "company")] + times(2, 14))
    hooks.append(w)

    # 12 to 14. The contact: a new phone and its company, a note, a new responsible.
    w = Webhook("contacts update", "id %d: second phone, company «ООО «Ромашка»»" % C1, {"stored": 1})
    w.item("contacts[update][0]", "contact", C1, [
        ("id", C1), ("name", "Иван Петров 👤"), ("responsible_user_id", MANAGER), ("company_name", "ООО «Ромашка»"),
        ("linked_company_id", CO1), ("account_id", account_id)] + times(2, 16)
        + custom_field(0, "1000001", "Телефон", [("+7 999 123-45-67", "1000101"), ("+7 495 765-43-21", "1000103")],
                       "PHONE")
        + custom_field(1, "1000003", "Email", [("ivan.petrov+crm@example.ru", "1000111")], "EMAIL")
        + [("linked_leads_id[%d][ID]" % L1, L1), ("type", "contact")])
    hooks.append(w)
    w = Webhook("contacts note", "note %d on contact %d" % (N2, C1), {"stored": 1})
    w.item("contacts[note][0][note]", "note", N2, [
        ("id", N2), ("element_id", C1), ("element_type", "1"), ("note_type", "4"),
        ("text", "Предпочитает WhatsApp, не звонить до 10:00"), ("account_id", account_id),
        ("created_at", t(17)), ("updated_at", t(17))])
    hooks.append(w)
    w = Webhook("contacts responsible", "id %d: responsible -> %s" % (C1, SENIOR), {"stored": 1})
    w.item("contacts[responsible][0]", "contact", C1, [
        ("id", C1), ("name", "Иван Петров 👤"), ("responsible_user_id", SENIOR), ("old_responsible_user_id", MANAGER),
        ("account_id", account_id), ("type", "contact")] + times(2, 18))
    hooks.append(w)

    # 15 to 17. A contact added by mistake, deleted, and restored.
    w = Webhook("contacts add", "id %d: «Test contact (удалить)»" % C2, {"stored": 1})
    w.item("contacts[add][0]", "contact", C2, [
        ("id", C2), ("name", "Test contact (удалить)"), ("responsible_user_id", MANAGER),
        ("account_id", account_id), ("type", "contact")] + times(19, 19))
    hooks.append(w)
    w = Webhook("contacts delete", "id %d" % C2, {"stored": 1})
    w.item("contacts[delete][0]", "contact", C2, [("id", C2), ("type", "contact")])
    hooks.append(w)
    w = Webhook("contacts restore", "id %d" % C2, {"stored": 1})
    w.item("contacts[restore][0]", "contact", C2, [
        ("id", C2), ("name", "Test contact (удалить)"), ("account_id", account_id), ("type", "contact")]
        + times(19, 21))
    hooks.append(w)

    # 18 to 21. Tasks: two added at once, one done, one handed over, one deleted.
    w = Webhook("task add ×2", "«Перезвонить клиенту насчёт доставки 📞», «Send the contract»", {"stored": 2})
    w.item("task[add][0]", "task", T1, [
        ("id", T1), ("element_id", L1), ("element_type", "2"), ("task_type", "1"),
        ("text", "Перезвонить клиенту насчёт доставки 📞"), ("status", "0"), ("account_id", account_id),
        ("created_user_id", MANAGER), ("responsible_user_id", MANAGER), ("complete_till", t(86400))] + times(22, 22))
    w.item("task[add][1]", "task", T2, [
        ("id", T2), ("element_id", C1), ("element_type", "1"), ("task_type", "2"), ("text", "Send the contract"),
        ("status", "0"), ("account_id", account_id), ("responsible_user_id", MANAGER),
        ("complete_till", t(172800))] + times(22, 22))
    hooks.append(w)
    w = Webhook("task update", "id %d: done, «Созвонились, доставка в пятницу»" % T1, {"stored": 1})
    w.item("task[update][0]", "task", T1, [
        ("id", T1), ("element_id", L1), ("element_type", "2"), ("status", "1"),
        ("result[text]", "Созвонились, доставка в пятницу"), ("account_id", account_id)] + times(22, 24))
    hooks.append(w)
    w = Webhook("task responsible", "id %d: responsible -> %s" % (T1, SENIOR), {"stored": 1})
    w.item("task[responsible][0]", "task", T1, [
        ("id", T1), ("responsible_user_id", SENIOR), ("old_responsible_user_id", MANAGER),
        ("account_id", account_id)] + times(22, 25))
    hooks.append(w)
    w = Webhook("task delete", "id %d" % T2, {"stored": 1})
    w.item("task[delete][0]", "task", T2, [("id", T2)])
    hooks.append(w)

    # 22 to 24. Unsorted: a chat and a web form arrive, the chat is moved, then accepted, the form declined.
    w = Webhook("unsorted add ×2", "chat from «Мария Иванова», web form", {"stored": 2})
    w.item("unsorted[add][0]", "unsorted", U1, [
        ("uid", U1), ("source", "telegram:" + CHAT), ("source_uid", "amojo:telegram:" + CHAT), ("category", "chats"),
        ("source_data[from]", "Мария Иванова"), ("source_data[name]", "Мария Иванова"),
        ("source_data[service]", "telegram"), ("source_data[client][name]", "Мария Иванова"),
        ("source_data[client][id]", str(5550000000 + n)), ("source_data[origin][chat_id]", CHAT),
        ("source_data[data][0][id]", M1), ("source_data[data][0][manager]", "0"),
        ("source_data[data][0][date]", t(26)), ("source_data[data][0][text]", "Здравствуйте! Хочу заказать диван 🛋️"),
        ("date_create", t(26)), ("data[contacts][0][id]", C1), ("pipeline_id", PIPELINE), ("account_id", account_id),
        ("source_id", "22500001"), ("lead_id", L3), ("created_at", t(26))])
    w.item("unsorted[add][1]", "unsorted", U2, [
        ("uid", U2), ("source", "site:romashka.example.ru"), ("category", "forms"),
        ("source_data[form_name]", "Обратный звонок"), ("source_data[form_page]", "https://shop.example.ru/sofa?utm=ad"),
        ("source_data[data][name_1][type]", "text"), ("source_data[data][name_1][value]", "Пётр"),
        ("date_create", t(27)), ("pipeline_id", PIPELINE), ("account_id", account_id), ("created_at", t(27))])
    hooks.append(w)
    w = Webhook("unsorted update", "uid %s…: moved to pipeline %s" % (U1[:12], PIPELINE), {"stored": 1})
    w.item("unsorted[update][0]", "unsorted", U1, [
        ("uid", U1), ("category", "chats"), ("pipeline_id", PIPELINE), ("account_id", account_id)])
    hooks.append(w)
    w = Webhook("unsorted delete ×2", "accept (-> lead %d), decline" % L3, {"stored": 2})
    w.item("unsorted[delete][0]", "unsorted", U1, [
        ("uid", U1), ("action", "accept"), ("accept_result[leads][0]", L3), ("account_id", account_id)])
    w.item("unsorted[delete][1]", "unsorted", U2, [("uid", U2), ("action", "decline"), ("account_id", account_id)])
    hooks.append(w)

    # 25 to 27. The chat: a talk opens with the client's message, the manager answers, the talk is read.
    w = Webhook("talk add + message add", "talk %d, «Привет! Диван ещё есть? 🛋️»" % TALK, {"stored": 2})
    w.item("talk[add][0]", "talk", TALK, [
        ("talk_id", TALK), ("chat_id", CHAT), ("contact_id", C1), ("entity_id", L3), ("entity_type", "lead"),
        ("is_in_work", "1"), ("is_read", "0"), ("origin", "telegram"), ("account_id", account_id),
        ("created_at", t(28)), ("updated_at", t(28))])
    w.item("message[add][0]", "message", M1, [
        ("id", M1), ("chat_id", CHAT), ("talk_id", TALK), ("contact_id", C1), ("text", "Привет! Диван ещё есть? 🛋️"),
        ("element_id", L3), ("entity_type", "lead"), ("author[id]", "client-%d" % n), ("author[type]", "external"),
        ("author[name]", "Мария Иванова"), ("origin", "telegram"), ("account_id", account_id), ("created_at", t(28))])
    hooks.append(w)
    w = Webhook("message add", "«Да, есть в наличии ✅ Доставим завтра»", {"stored": 1})
    w.item("message[add][0]", "message", M2, [
        ("id", M2), ("chat_id", CHAT), ("talk_id", TALK), ("contact_id", C1), ("text", "Да, есть в наличии ✅ Доставим завтра"),
        ("element_id", L3), ("entity_type", "lead"), ("author[id]", SENIOR), ("author[type]", "internal"),
        ("author[name]", "Ольга"), ("origin", "telegram"), ("account_id", account_id), ("created_at", t(29))])
    hooks.append(w)
    w = Webhook("talk update", "talk %d: read" % TALK, {"stored": 1})
    w.item("talk[update][0]", "talk", TALK, [
        ("talk_id", TALK), ("chat_id", CHAT), ("is_read", "1"), ("account_id", account_id), ("updated_at", t(30))])
    hooks.append(w)

    # 28 to 32. A customer (periodic purchases): added, updated, handed over, noted, deleted.
    w = Webhook("customers add", "id %d: «Подписка на кофе ☕», 1500.50" % CU1, {"stored": 1})
    w.item("customers[add][0]", "customer", CU1, [
        ("id", CU1), ("name", "Подписка на кофе ☕"), ("next_price", "1500.50"), ("next_date", t(2592000)),
        ("responsible_user_id", MANAGER), ("account_id", account_id)] + times(31, 31))
    hooks.append(w)
    w = Webhook("customers update", "id %d: next price 1600" % CU1, {"stored": 1})
    w.item("customers[update][0]", "customer", CU1, [
        ("id", CU1), ("name", "Подписка на кофе ☕"), ("next_price", "1600"), ("account_id", account_id)]
        + times(31, 32))
    hooks.append(w)
    w = Webhook("customers responsible", "id %d: responsible -> %s" % (CU1, ROBOT), {"stored": 1})
    w.item("customers[responsible][0]", "customer", CU1, [
        ("id", CU1), ("responsible_user_id", ROBOT), ("old_responsible_user_id", MANAGER), ("account_id", account_id)]
        + times(31, 33))
    hooks.append(w)
    w = Webhook("customers note", "note %d on customer %d" % (N3, CU1), {"stored": 1})
    w.item("customers[note][0][note]", "note", N3, [
        ("id", N3), ("element_id", CU1), ("element_type", "12"), ("note_type", "4"),
        ("text", "Оплата картой «Мир», чек на e-mail"), ("account_id", account_id), ("created_at", t(34)),
        ("updated_at", t(34))])
    hooks.append(w)
    w = Webhook("customers delete", "id %d" % CU1, {"stored": 1})
    w.item("customers[delete][0]", "customer", CU1, [("id", CU1)])
    hooks.append(w)

    # 33. A bulk edit in the lead list: three leads tagged at once.
    w = Webhook("leads update ×3 (bulk edit)", "ids %d, %d, %d: tag «акция»" % (L1, L2, L3), {"stored": 3})
    for i, (lead, name, stage, price) in enumerate([(L1, sofa, STAGE_TALKS, "119000"),
                                                    (L2, web_order + " (v2)", STAGE_NEW, "5490"),
                                                    (L3, "Заявка из Telegram: Мария Иванова", STAGE_NEW, "")]):
        w.item("leads[update][%d]" % i, "lead", lead, [
            ("id", lead), ("name", name), ("status_id", stage), ("price", price), ("pipeline_id", PIPELINE),
            ("account_id", account_id)] + times(26, 40) + tags(("512399", "акция")))
    hooks.append(w)

    # 34. A Digital Pipeline "send webhook" body: minimal, no name, no times; must not blank what it lacks.
    w = Webhook("leads status (Digital Pipeline, minimal body)", "id %d: stage %s -> %s" % (L1, STAGE_TALKS, STAGE_OFFER),
                {"stored": 1})
    w.item("leads[status][0]", "lead", L1, [
        ("id", L1), ("status_id", STAGE_OFFER), ("pipeline_id", PIPELINE), ("old_status_id", STAGE_TALKS),
        ("old_pipeline_id", PIPELINE)])
    w.stage_changes = 1
    w.account_last = True
    hooks.append(w)

    # 35 and 36. The web order is lost, deleted, then restored.
    w = Webhook("leads delete", "id %d (only id, status_id, pipeline_id)" % L2, {"stored": 1})
    w.item("leads[delete][0]", "lead", L2, [("id", L2), ("status_id", LOST), ("pipeline_id", PIPELINE)])
    hooks.append(w)
    w = Webhook("leads restore", "id %d" % L2, {"stored": 1})
    w.item("leads[restore][0]", "lead", L2, [
        ("id", L2), ("name", web_order + " (v2)"), ("status_id", STAGE_NEW), ("pipeline_id", PIPELINE),
        ("account_id", account_id)] + times(1, 45))
    hooks.append(w)
    return hooks


STORY_REQUESTS = 36  # requests in one story (checked at run time)


def traffic(count, seed, start, account_id):
    """The first `count` webhooks of an endless run of stories with fresh ids."""
    base0 = 1_000_000_000 + (seed % 1_000_000) * 100_000
    n = 0
    sent = 0
    while sent < count:
        # each story is placed a minute apart, all in the past, so deletes (timed on arrival) come last
        hooks = story(n, base0 + n * 50, start - 7200 + (n % 100) * 60, account_id)
        assert len(hooks) == STORY_REQUESTS, len(hooks)
        yield from hooks[:count - sent]
        sent += len(hooks)
        n += 1


def check(hook, answer):
    """Is the answer the one this request should get? Returns (ok, why not)."""
    if answer.status is None:
        return False, "no answer"
    if answer.status // 100 != 2:
        return False, "HTTP %s" % answer.status
    status = answer.field("status")
    expected_status = hook.expect.get("status", "accepted")
    if status != expected_status:
        return False, "expected %s" % expected_status
    if status == "accepted":
        for key in ("stored", "stale", "duplicate", "ignored", "deadLettered"):
            value = hook.expect.get(key, 0)
            if answer.count(key) != value:
                return False, "expected %s=%s" % (key, value)
    return True, ""


def summarize_answer(answer):
    if answer.status is None:
        return answer.error
    status = answer.field("status")
    if status == "accepted":
        parts = ["%s=%d" % (k, answer.count(k)) for k in ("stored", "stale", "duplicate", "ignored", "deadLettered")
                 if answer.count(k)]
        return "%d accepted %s" % (answer.status, " ".join(parts) or "events=%d" % answer.count("events"))
    if status == "duplicate":
        return "%d duplicate of %s" % (answer.status, answer.field("duplicateOf"))
    return "%s %s" % (answer.status, answer.compact(160))


def main():
    parser = argparse.ArgumentParser(description="Sends realistic amoCRM webhook traffic to a running server.")
    parser.add_argument("--url", help="webhook URL (default http://$HOST:$PORT/api/webhooks/amo)")
    parser.add_argument("--count", type=int, default=STORY_REQUESTS,
                        help="requests to send (default %d: one story with every entity and action)" % STORY_REQUESTS)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second, 0 for no limit (default 20)")
    parser.add_argument("--seed", type=int, help="fixes the ids (default: new ids every run)")
    parser.add_argument("--auth", choices=["auto", "signature", "token", "none"], default="auto",
                        help="auto: signed when AMOCRM_CLIENT_SECRET is set, else the token URL")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print every body as sent")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.rate < 0:
        parser.error("--rate must not be negative")

    config = amo.Config()
    url = (args.url or amo.default_base_url(config)).rstrip("/")
    secret, token, header = config.secret, config.token, config.signature_header
    auth = args.auth
    if auth == "auto":
        auth = "signature" if secret else "token" if token else "none"
    if auth == "signature" and not secret:
        parser.error("--auth signature needs AMOCRM_CLIENT_SECRET (environment or .env)")
    if auth == "token" and not token:
        parser.error("--auth token needs AMOCRM_WEBHOOK_TOKEN (environment or .env)")
    target = url + "/" + token if auth == "token" else url
    shown = url + "/<AMOCRM_WEBHOOK_TOKEN>" if auth == "token" else url
    how = {"signature": "signed with AMOCRM_CLIENT_SECRET in %s" % header,
           "token": "unsigned, to the token URL (as amoCRM sends)",
           "none": "UNSIGNED: no AMOCRM_CLIENT_SECRET or AMOCRM_WEBHOOK_TOKEN found; only a server with "
                   "WEBHOOK_AUTH_ENABLED=false accepts this"}[auth]
    seed = args.seed if args.seed is not None else time.time_ns() // 1000 % 1_000_000_007
    account = config.account()
    account_id = account[1][1]

    print("Simulating amoCRM: %d request(s) to %s, %s, %s, seed %d" % (
        args.count, shown, how, "%g/s" % args.rate if args.rate else "no rate limit", seed), flush=True)

    start = time.time()
    sent = failed = unexpected = 0
    events = 0
    totals = {k: 0 for k in ("stored", "stale", "duplicate", "ignored", "deadLettered")}
    duplicate_requests = 0
    rows, stage_changes = {}, 0
    width = len(str(args.count))
    for i, hook in enumerate(traffic(args.count, seed, int(start), account_id)):
        if args.rate:
            delay = start + i / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
        if hook.resend_of is not None:
            hook.body = hook.resend_of.body
        if hook.same_request_id_as is not None:
            hook.amo_request_id = hook.same_request_id_as.amo_request_id
        body = hook.encode(account)
        signature = amo.sign(secret, body) if auth == "signature" else None
        answer = amo.post_form(target, body, header, signature, hook.amo_request_id)
        sent += 1
        ok, why = check(hook, answer)
        if answer.status is None or answer.status // 100 != 2:
            failed += 1
        elif not ok:
            unexpected += 1
        if answer.field("status") == "accepted":
            for key in totals:
                totals[key] += answer.count(key)
            events += answer.count("events")
        elif answer.field("status") == "duplicate":
            duplicate_requests += 1
        if answer.status is not None and answer.status // 100 == 2:
            for table, key in hook.rows:
                rows.setdefault(table, set()).add(key)
            stage_changes += hook.stage_changes
        mark = "ok" if ok else "UNEXPECTED (%s)" % why
        print("[%*d] %-46s %6d B  -> %-34s %s" % (width, i + 1, hook.title, len(body), summarize_answer(answer), mark),
              flush=True)
        print("%s      %s" % (" " * width, hook.detail), flush=True)
        if args.verbose:
            print("%s      body: %s" % (" " * width, body.decode("ascii")), flush=True)
        if answer.status is None and i == 0:
            print("The server does not answer at %s: is it running? (make start, make status)" % url)
            return 1

    took = time.time() - start
    print()
    print("Sent %d request(s) in %.1f s (%.1f/s): %d answered 2xx, %d failed, %d not as expected" % (
        sent, took, sent / took if took else 0, sent - failed, failed, unexpected))
    print("Events: %d in accepted requests: stored %d, stale %d, duplicate %d, ignored %d, dead-lettered %d; "
          "duplicate requests %d" % (events, totals["stored"], totals["stale"], totals["duplicate"], totals["ignored"],
                                     totals["deadLettered"], duplicate_requests))
    print("Rows these ids should have (in a database that had none of them): "
          + ", ".join("%s %d" % (table, len(rows.get(table, ()))) for table in sorted(set(TABLES.values())))
          + ", amo_lead_status_changes %d" % stage_changes)
    if unexpected and duplicate_requests >= unexpected and args.seed is not None:
        print("Hint: these bodies were already sent with seed %d (within WEBHOOK_DEDUPE_WINDOW), so the server "
              "recognised them as re-deliveries; leave SEED out for fresh ids." % seed)
    return 1 if failed or unexpected else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
