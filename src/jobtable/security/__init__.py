"""Who may talk to jobtable, what they may do, and how their data is kept on disk.

- `sigv4`: verify AWS Signature Version 4 on incoming requests (header and query forms).
- `credentials`: the users/access-keys/policies store, secrets encrypted at rest.
- `policy`: IAM identity-policy evaluation (Deny wins, then Allow, default deny).
- `actions`: which IAM actions, resources and condition keys each operation checks.
- `authorizer`: glue the server calls: authenticate a request, then authorize it.
- `encryption`: AES-256-GCM record cipher for tables with SSE enabled.
- `certs`: a self-signed TLS certificate pair for local HTTPS.
"""
