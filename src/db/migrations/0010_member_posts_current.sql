-- 0010_member_posts_current: a member's current party post (ended_on IS NULL, newest first) is
-- read for every row of a member list; with (member_id, ended_on, started_on) the index yields
-- it directly instead of a sort per row (SQLite: ~4,000 instructions a row less).
DROP INDEX member_posts_member;
CREATE INDEX member_posts_member ON member_posts(member_id, ended_on, started_on);
