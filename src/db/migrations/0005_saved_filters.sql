-- 0005_saved_filters: a user's saved member searches (issue 5 §3), and what the search needs.
-- params is the search as a JSON object of its query parameters ({"category":"full",...}),
-- checked by the same parser as the list before it is stored. Names are unique per user.
CREATE TABLE saved_filters (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX saved_filters_user_name ON saved_filters(user_id, name);
