-- Identities a repository declares that no owner tag or label names (owner_keys:
-- owner, team by default), policies and roles nothing binds left aside.
SELECT
    repository,
    address AS identity,
    provider,
    kind,
    principal,
    environment,
    path,
    line
FROM identities
WHERE owner IS NULL AND declared AND NOT definition
ORDER BY repository, path NULLS LAST, line, address
