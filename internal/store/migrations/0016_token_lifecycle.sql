-- 0016: API tokens expire, are listed and are revoked.
--
-- id numbers a user's tokens (1, 2, …) so that an owner or an
-- administrator can name one; expires_at, last_used_at and revoked_at are
-- microseconds (0 = never used / not revoked). A token revoked by a
-- password change or by disabling its user says so in revoke_reason.
ALTER TABLE api_tokens ADD COLUMN id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';

-- Tokens issued before this migration never expired: they are numbered
-- per user in the order they were issued and now expire 90 days after
-- they were issued.
UPDATE api_tokens SET id = (SELECT COUNT(*) FROM api_tokens t
    WHERE t.username = api_tokens.username
      AND (t.created_at < api_tokens.created_at OR (t.created_at = api_tokens.created_at AND t.token_hash <= api_tokens.token_hash)));
UPDATE api_tokens SET expires_at = created_at + 7776000000000;

CREATE UNIQUE INDEX api_tokens_user_id ON api_tokens (username, id);
