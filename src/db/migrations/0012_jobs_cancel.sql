-- 0012_jobs_cancel: a running job can be asked to stop. The request is a time stamp on the row;
-- the job sees it at its next progress report (jobs_store_progress) and ends as 'cancelled'.
ALTER TABLE jobs ADD COLUMN cancel_requested_at BIGINT;
