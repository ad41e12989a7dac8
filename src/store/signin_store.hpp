#pragma once
// The writes that end a successful sign-in, in one transaction: the person
// (found by (team, sub), or created), their new session and the
// signin.success audit event are stored together or not at all. One commit
// instead of three: each commit is a WAL append and sync in SQLite, a round
// trip and a WAL flush in PostgreSQL.
//   auto r = db.signins().record({.person = candidate, .session = row,
//                                 .audit = [&](const domain::User& u) { return event_for(u); }});
//   r->person;   // as stored: an existing person keeps id, role and created_at
#include <functional>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

struct CompletedSignin {
  // Inserted when (team_id, sub) is new. When the person exists, only email,
  // name and last_login_at are taken from here: id, role and created_at were
  // decided at their first sign-in.
  domain::User person;
  // The new session; its user_id is set to the stored person's id.
  domain::Session session;
  // The audit event, made from the person as stored (its id and role are
  // known only inside the transaction). Called once, inside it: no I/O.
  std::function<domain::AuditEvent(const domain::User& stored)> audit;
};

struct RecordedSignin {
  domain::User person;           // as stored after this sign-in
  bool created = false;          // this sign-in created the person
  bool profile_changed = false;  // an existing person's email or name changed
};

class SigninStore {
 public:
  virtual ~SigninStore() = default;
  // Two first sign-ins of one person at once (two tabs) make one person: the
  // second finds the row the first inserted, and no conflict escapes. When
  // any write fails, none is kept: unavailable, or conflict for a session id
  // or event id that exists already.
  [[nodiscard]] virtual Result<RecordedSignin> record(const CompletedSignin& signin) = 0;
};

}  // namespace gatehouse::store
