-- One cloud principal (an IAM role ARN, a GCP service account e-mail, an Azure client id)
-- used by workloads in more than one environment, or in more than one repository: one
-- row per use, pointing at the line where the workload names its identity.
WITH uses AS (
    SELECT principal, provider, repository, environment, workload, identity, hops, path, line
    FROM bindings
    WHERE principal IS NOT NULL
      AND principal NOT LIKE '%${%'
      AND provider IN ('aws', 'gcp', 'azure')
),
shared AS (
    SELECT principal
    FROM uses
    GROUP BY principal
    HAVING count(DISTINCT environment) > 1 OR count(DISTINCT repository) > 1
)
SELECT
    u.principal,
    u.repository,
    u.environment,
    u.workload,
    u.identity,
    u.hops AS federation_hops,
    u.path,
    u.line
FROM uses AS u
JOIN shared USING (principal)
ORDER BY u.principal, u.repository, u.environment NULLS LAST, u.path, u.line, u.workload
