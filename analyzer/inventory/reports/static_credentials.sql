-- Static or long-lived credentials of identities that inference workloads use: access
-- keys, service-account keys, client secrets, certificates and stored secrets whatever
-- their expiry, tokens and sessions over an hour (max_token_ttl's default), and anything
-- that never expires. An identity counts when an inference workload runs as it in the
-- same repository, or when one elsewhere names its principal.
SELECT
    c.repository,
    c.address AS credential,
    c.kind,
    c.identity,
    c.ttl_seconds,
    c.environment,
    c.preview,
    c.path,
    c.line
FROM credentials AS c
WHERE (c.static OR c.ttl_seconds IS NULL OR c.ttl_seconds > 3600)
  AND (
    EXISTS (
        SELECT 1 FROM bindings AS b
        WHERE b.inference AND b.repository = c.repository AND b.identity = c.identity
    )
    OR EXISTS (
        SELECT 1 FROM workloads AS w
        WHERE w.inference AND w.repository = c.repository AND list_contains(w.credentials, c.address)
    )
    OR EXISTS (
        SELECT 1 FROM identities AS i
        JOIN bindings AS b ON b.principal = i.principal
        WHERE b.inference AND i.repository = c.repository AND i.address = c.identity
          AND i.principal NOT LIKE '%${%'
    )
  )
ORDER BY c.repository, c.path NULLS LAST, c.line, c.address
