-- 0003_member_pages: paths are unique (each ends with the org's own id), and saying so lets a
-- page of members be read in tree order, org by org, with no sort: the planner walks orgs_path
-- and members_org and stops after the page (docs/decisions/0011-member-pages.md).
DROP INDEX orgs_path;
CREATE UNIQUE INDEX orgs_path ON orgs(path);
