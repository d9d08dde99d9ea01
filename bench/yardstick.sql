-- The root report of bench/rollup.py computed the plain way by PostgreSQL over the raw rows:
-- a recursive CTE for the subtree on the structure date, an interval join (LATERAL, latest
-- version started on or before the day, else the first) for the owner or team at event time,
-- and percentile_disc for the percentiles. Parameters: :team, :as_of, :start, :end (dates).
-- The owners are computed once per event in MATERIALIZED CTEs and then filtered by the subtree
-- with a hashed semi-join (inlined, PostgreSQL re-scanned the whole subtree for every event).
-- One row: every KPI value of docs/kpis.md for that subtree and window. bench/rollup.py first
-- creates the indexes such a query needs (YARDSTICK_INDEXES there), outside the timing.
WITH RECURSIVE
version AS (
    SELECT DISTINCT ON (id) id, parent_id
    FROM teams
    ORDER BY id, (valid_from <= :as_of) DESC,
             CASE WHEN valid_from <= :as_of THEN valid_from END DESC, valid_from
),
subtree AS (
    SELECT id FROM version WHERE id = :team
    UNION ALL
    SELECT v.id FROM version v JOIN subtree s ON v.parent_id = s.id
),
last_day AS (SELECT (:end)::date - 1 AS day),
deployed AS MATERIALIZED (
    SELECT d.id, d.status, d.finished_at, (d.finished_at AT TIME ZONE 'UTC')::date AS day, o.owner
    FROM deployments d
    CROSS JOIN LATERAL (
        SELECT s.owner_team_id AS owner FROM services s
        WHERE s.id = d.service_id
        ORDER BY (s.valid_from <= (d.finished_at AT TIME ZONE 'UTC')::date) DESC,
                 CASE WHEN s.valid_from <= (d.finished_at AT TIME ZONE 'UTC')::date
                      THEN s.valid_from END DESC, s.valid_from
        LIMIT 1
    ) o
    WHERE d.environment = 'production'
      AND (d.finished_at AT TIME ZONE 'UTC')::date >= :start
      AND (d.finished_at AT TIME ZONE 'UTC')::date < :end
),
delivery AS (
    SELECT count(*) FILTER (WHERE status = 'success') AS successful,
           count(*) AS deployments,
           count(*) FILTER (
               WHERE status IN ('failed', 'rolled_back') OR caused.id IS NOT NULL
           ) AS failed
    FROM deployed
    LEFT JOIN (SELECT DISTINCT caused_by_deployment_id AS id FROM incidents) caused
        ON caused.id = deployed.id
    WHERE owner IN (SELECT id FROM subtree)
),
first_reviews AS (
    SELECT r.change_id, min(r.submitted_at) AS reviewed_at
    FROM reviews r JOIN changes c ON c.id = r.change_id
    WHERE r.submitted_at >= c.opened_at AND (c.author_id IS NULL OR r.reviewer_id <> c.author_id)
    GROUP BY r.change_id
),
approved AS (
    SELECT DISTINCT r.change_id
    FROM reviews r JOIN changes c ON c.id = r.change_id
    WHERE r.state = 'approved' AND (c.author_id IS NULL OR r.reviewer_id <> c.author_id)
),
first_review AS (
    SELECT c.id, c.service_id, c.author_id, c.opened_at, c.merged_at, c.first_commit_at,
           c.deployment_id, f.reviewed_at, (a.change_id IS NOT NULL) AS approved
    FROM changes c
    LEFT JOIN first_reviews f ON f.change_id = c.id
    LEFT JOIN approved a ON a.change_id = c.id
),
owned_change AS MATERIALIZED (
    SELECT f.*, (f.at AT TIME ZONE 'UTC')::date AS day, o.owner
    FROM (
        SELECT fr.*, fr.opened_at AS at, 'opened' AS kind FROM first_review fr
        UNION ALL
        SELECT fr.*, fr.merged_at, 'merged' FROM first_review fr WHERE fr.merged_at IS NOT NULL
    ) f
    CROSS JOIN LATERAL (
        SELECT s.owner_team_id AS owner FROM services s
        WHERE s.id = f.service_id
        ORDER BY (s.valid_from <= (f.at AT TIME ZONE 'UTC')::date) DESC,
                 CASE WHEN s.valid_from <= (f.at AT TIME ZONE 'UTC')::date
                      THEN s.valid_from END DESC, s.valid_from
        LIMIT 1
    ) o
    WHERE (f.at AT TIME ZONE 'UTC')::date >= :start AND (f.at AT TIME ZONE 'UTC')::date < :end
),
review_flow AS (
    SELECT
        percentile_disc(0.5) WITHIN GROUP (
            ORDER BY extract(epoch FROM reviewed_at - opened_at) / 3600
        ) FILTER (WHERE kind = 'opened' AND reviewed_at IS NOT NULL) AS first_review_p50,
        percentile_disc(0.5) WITHIN GROUP (
            ORDER BY extract(epoch FROM merged_at - reviewed_at) / 3600
        ) FILTER (WHERE kind = 'merged' AND reviewed_at <= merged_at) AS review_to_merge_p50,
        count(*) FILTER (WHERE kind = 'merged') AS merged,
        count(*) FILTER (WHERE kind = 'merged' AND NOT approved) AS unreviewed
    FROM owned_change WHERE owner IN (SELECT id FROM subtree)
),
good AS (
    SELECT id, service_id, finished_at FROM deployments
    WHERE environment = 'production' AND status = 'success'
),
lead AS (
    SELECT c.id, c.service_id, coalesce(named.finished_at, next.finished_at) AS deployed_at,
           least(c.first_commit_at, c.opened_at) AS started, c.merged_at, c.first_commit_at
    FROM changes c
    LEFT JOIN good named ON named.id = c.deployment_id
    LEFT JOIN LATERAL (
        SELECT g.finished_at FROM deployments g
        WHERE g.environment = 'production' AND g.status = 'success'
          AND g.service_id = c.service_id AND g.finished_at >= c.merged_at
        ORDER BY g.finished_at LIMIT 1
    ) next ON named.id IS NULL
    -- a first commit after the merge is kept: its clock starts at opened_at (kpis.md)
    WHERE c.merged_at IS NOT NULL
),
lead_owned AS MATERIALIZED (
    SELECT l.*, o.owner FROM lead l
    CROSS JOIN LATERAL (
        SELECT s.owner_team_id AS owner FROM services s
        WHERE s.id = l.service_id
        ORDER BY (s.valid_from <= (l.deployed_at AT TIME ZONE 'UTC')::date) DESC,
                 CASE WHEN s.valid_from <= (l.deployed_at AT TIME ZONE 'UTC')::date
                      THEN s.valid_from END DESC, s.valid_from
        LIMIT 1
    ) o
    WHERE l.deployed_at >= l.merged_at
      AND (l.deployed_at AT TIME ZONE 'UTC')::date >= :start
      AND (l.deployed_at AT TIME ZONE 'UTC')::date < :end
),
lead_time AS (
    SELECT count(*) AS sample,
           percentile_disc(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM deployed_at - started) / 3600) AS p50,
           percentile_disc(0.9) WITHIN GROUP (
               ORDER BY extract(epoch FROM deployed_at - started) / 3600) AS p90
    FROM lead_owned WHERE owner IN (SELECT id FROM subtree)
),
incident_owned AS MATERIALIZED (
    -- each incident's owner at its start, computed once (the interval join), then filtered
    SELECT i.started_at, i.resolved_at, o.owner
    FROM incidents i
    CROSS JOIN LATERAL (
        SELECT s.owner_team_id AS owner FROM services s
        WHERE s.id = i.service_id
        ORDER BY (s.valid_from <= (i.started_at AT TIME ZONE 'UTC')::date) DESC,
                 CASE WHEN s.valid_from <= (i.started_at AT TIME ZONE 'UTC')::date
                      THEN s.valid_from END DESC, s.valid_from
        LIMIT 1
    ) o
    WHERE (i.started_at AT TIME ZONE 'UTC')::date >= :start
      AND (i.started_at AT TIME ZONE 'UTC')::date < :end
),
restore AS (
    SELECT percentile_disc(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM resolved_at - started_at) / 3600
           ) FILTER (WHERE resolved_at IS NOT NULL) AS p50,
           count(*) FILTER (WHERE resolved_at IS NULL) AS unresolved
    FROM incident_owned WHERE owner IN (SELECT id FROM subtree)
),
people_now AS (
    SELECT p.role FROM people p, last_day
    WHERE p.valid_from <= last_day.day AND (p.valid_to IS NULL OR p.valid_to > last_day.day)
      AND p.team_id IN (SELECT id FROM subtree)
),
services_now AS (
    SELECT s.id, s.platform FROM services s, last_day
    WHERE s.valid_from <= last_day.day AND (s.valid_to IS NULL OR s.valid_to > last_day.day)
      AND s.owner_team_id IN (SELECT id FROM subtree)
),
latest_coverage AS (
    SELECT DISTINCT ON (c.service_id) c.covered_lines, c.total_lines
    FROM coverage c JOIN services_now s ON s.id = c.service_id
    WHERE c.measured_at < :end
    ORDER BY c.service_id, c.measured_at DESC
),
latest_debt AS (
    SELECT DISTINCT ON (d.service_id) d.debt_minutes
    FROM debt d JOIN services_now s ON s.id = d.service_id
    WHERE d.measured_at < :end
    ORDER BY d.service_id, d.measured_at DESC
),
merged_by AS (
    SELECT (so.id IS NOT NULL) AS owner_in, (sa.id IS NOT NULL) AS author_in
    FROM owned_change oc
    CROSS JOIN LATERAL (
        SELECT p.team_id AS author FROM people p
        WHERE p.id = oc.author_id
        ORDER BY (p.valid_from <= oc.day) DESC,
                 CASE WHEN p.valid_from <= oc.day THEN p.valid_from END DESC, p.valid_from
        LIMIT 1
    ) a
    LEFT JOIN subtree so ON so.id = oc.owner
    LEFT JOIN subtree sa ON sa.id = a.author
    WHERE oc.kind = 'merged'
),
contributions AS (
    SELECT
        count(*) FILTER (WHERE owner_in) AS to_subtree,
        count(*) FILTER (WHERE owner_in AND NOT author_in) AS inbound,
        count(*) FILTER (WHERE author_in) AS by_subtree,
        count(*) FILTER (WHERE author_in AND NOT owner_in) AS outbound
    FROM merged_by
)
SELECT
    delivery.successful, delivery.deployments, delivery.failed,
    lead_time.sample AS lead_time_sample, lead_time.p50 AS lead_time_p50,
    lead_time.p90 AS lead_time_p90,
    restore.p50 AS restore_p50, restore.unresolved,
    review_flow.first_review_p50, review_flow.review_to_merge_p50,
    review_flow.merged, review_flow.unreviewed,
    (SELECT count(*) FROM people_now) AS headcount,
    (SELECT count(*) FROM people_now WHERE role = 'SDE') AS engineers,
    (SELECT count(*) FROM services_now) AS services,
    (SELECT count(*) FROM services_now WHERE platform = 'native_aws') AS native_aws,
    (SELECT sum(covered_lines)::float8 / nullif(sum(total_lines), 0) FROM latest_coverage)
        AS coverage,
    (SELECT sum(debt_minutes) FROM latest_debt) AS debt_minutes,
    contributions.to_subtree, contributions.inbound, contributions.by_subtree,
    contributions.outbound
FROM delivery, lead_time, restore, review_flow, contributions;
