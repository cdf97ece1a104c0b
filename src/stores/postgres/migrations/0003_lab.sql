-- Deliberately empty. Until issue 10 this migration created the Concurrency Lab's tables (lab_seats,
-- lab_bookings) in every production database. The Lab is now a plugin with its own database and its
-- own migrations (src/lab/stores/migrations/, tracked in lab_migrations there), so new databases get
-- no lab tables. Databases that already ran this migration keep the two tables, unused: nothing reads
-- or writes them any more, and `DROP TABLE lab_bookings, lab_seats` removes them. The file stays so
-- the number is never reused.
SELECT 1;
