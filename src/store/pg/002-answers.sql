-- Schema 2 adds the collection "answers" (the events API's answers to the batches it applied). Its
-- records are rows of store_records like every other's, so no table changes. The step is there for
-- its number: a version of the bot that knows only schema 1 cannot read those rows, and so refuses
-- the database with its "written by a newer version" sentence instead of failing on the first one.
SELECT 1;
