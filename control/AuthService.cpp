#include "AuthService.hpp"

#include <glib.h>

namespace carrel::control {

namespace {

int64_t nowSeconds() {
  return g_get_real_time() / G_USEC_PER_SEC;
}

AuthResult failure(const char* code, std::string message) {
  AuthResult r;
  r.code = code;
  r.message = std::move(message);
  return r;
}

// A job whose result becomes storage_unavailable when the database could not be reached: a
// session lookup must not answer "unauthorized" (and log the client out) during a restart.
DbWorker::Job orUnavailable(std::shared_ptr<AuthResult> result, DbWorker::Job job) {
  return [result, job = std::move(job)](MySqlConnection& db) {
    job(db);
    if (db.unavailable()) {
      *result =
          failure("storage_unavailable", "the database is unreachable right now; try again later");
    }
  };
}

}  // namespace

AuthService::AuthService(DbWorker& worker, std::string tokenSecret, int64_t tokenTtlSeconds,
                         PasswordHasher::Strength strength)
    : worker_(worker), tokens_(std::move(tokenSecret)), hasher_(strength), ttl_(tokenTtlSeconds) {}

void AuthService::signup(const std::string& login, const std::string& password,
                         const std::string& displayName, const std::string& timeZone, Done done) {
  auto result = std::make_shared<AuthResult>();
  PasswordHasher hasher = hasher_;
  worker_.run(orUnavailable(result,
                            [=](MySqlConnection& db) {
                              std::string hash = hasher.hash(password);
                              if (hash.empty()) {
                                *result = failure("internal", "could not hash the password");
                                return;
                              }
                              std::string err;
                              switch (UserStore(db).create(login, hash, displayName, timeZone,
                                                           false, &result->user, &err)) {
                                case StoreResult::Ok:
                                  break;
                                case StoreResult::Conflict:
                                  *result =
                                      failure("login_taken", "the login '" + login + "' is taken");
                                  break;
                                default:
                                  g_warning("signup of %s failed: %s", login.c_str(), err.c_str());
                                  *result = failure("internal", "could not create the account");
                              }
                            }),
              [result, done] { done(*result); });
}

void AuthService::login(const std::string& login, const std::string& password, Done done) {
  auto result = std::make_shared<AuthResult>();
  PasswordHasher hasher = hasher_;
  AccessTokens tokens = tokens_;
  int64_t ttl = ttl_;
  worker_.run(
      orUnavailable(
          result,
          [=](MySqlConnection& db) {
            UserStore store(db);
            std::string hash, err;
            StoreResult found = store.findByLogin(login, &result->user, &hash, &err);
            // Hash even for an unknown login, so timing does not tell which logins exist.
            bool ok = hasher.verify(found == StoreResult::Ok ? hash : std::string(), password);
            if (found == StoreResult::Failed) {
              *result = failure("internal", "could not read the account");
              return;
            }
            if (found != StoreResult::Ok || !ok) {
              *result = failure("bad_credentials", "wrong login or password");
              return;
            }
            if (hasher.needsRehash(hash))
              store.setPasswordHash(result->user.id, hasher.hash(password), &err);
            TokenClaims c{result->user.id, AccessTokens::newSessionId(), nowSeconds() + ttl};
            if (!store.createSession(c.sessionId, c.userId, c.expiresAt, &err)) {
              *result = failure("internal", "could not open a session");
              return;
            }
            result->token = tokens.issue(c);
            result->expiresAt = c.expiresAt;
          }),
      [result, done] { done(*result); });
}

bool AuthService::signedAndCurrent(const std::string& token) const {
  return tokens_.check(token, nowSeconds()).has_value();
}

void AuthService::authenticate(const std::string& token, Done done) {
  TokenError why{};
  auto claims = tokens_.check(token, nowSeconds(), &why);
  if (!claims) {
    done(failure("unauthorized",
                 why == TokenError::Expired ? "the token has expired" : "the token is not valid"));
    return;
  }
  auto result = std::make_shared<AuthResult>();
  worker_.run(
      orUnavailable(result,
                    [=, c = *claims](MySqlConnection& db) {
                      UserStore store(db);
                      std::string err;
                      if (!store.sessionActive(c.sessionId, c.userId, nowSeconds(), &err)) {
                        *result = failure("unauthorized", "the session has ended; log in again");
                        return;
                      }
                      if (store.findById(c.userId, &result->user, &err) != StoreResult::Ok) {
                        *result = failure("unauthorized", "the account no longer exists");
                      }
                      result->expiresAt = c.expiresAt;
                    }),
      [result, done] { done(*result); });
}

void AuthService::logout(const std::string& token, Done done) {
  TokenError why{};
  auto claims = tokens_.check(token, nowSeconds(), &why);
  if (!claims) {
    done(failure("unauthorized", "the token is not valid"));
    return;
  }
  auto result = std::make_shared<AuthResult>();
  worker_.run(
      orUnavailable(result,
                    [=, c = *claims](MySqlConnection& db) {
                      std::string err;
                      if (UserStore(db).revokeSession(c.sessionId, &err) != StoreResult::Ok) {
                        *result = failure("unauthorized", "the session has already ended");
                      }
                    }),
      [result, done] { done(*result); });
}

bool AuthService::bootstrapAdmin(MySqlConnection& db, const std::string& login,
                                 const std::string& password, std::string* error) {
  std::string hash = PasswordHasher().hash(password);
  if (hash.empty()) {
    if (error) *error = "could not hash the admin password";
    return false;
  }
  UserStore store(db);
  StoreResult r = store.create(login, hash, login, "UTC", true, nullptr, error);
  if (r != StoreResult::Conflict) return r == StoreResult::Ok;
  User existing;
  if (store.findByLogin(login, &existing, nullptr, error) != StoreResult::Ok) return false;
  if (!existing.admin) {
    if (error) *error = "the account '" + login + "' exists and is not an admin";
    return false;
  }
  return true;
}

}  // namespace carrel::control
