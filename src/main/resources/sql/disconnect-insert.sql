-- Records that an amoCRM account disconnected the integration (a verified disconnect hook).
INSERT INTO amo_disconnects (account_id, client_uuid) VALUES (:#account_id, :#client_uuid)
