-- 0006_member_rules: the CONFIG value of the member record's rules (domain-rules.md ID-07).
-- The mobile pattern is applied after spaces and a +86 prefix are stripped (POSIX extended
-- regular expression). An organization changes it by a written 党委 decision (note).
INSERT INTO rule_settings (rule_key, org_id, value, note, updated_at) VALUES
    ('ID-07.phone_pattern', 0, '^1[3-9][0-9]{9}$', 'default', 0);
