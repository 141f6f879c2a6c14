// Sending one email: the message, its MIME text, and the Mailer interface
// with its libcurl SMTP implementation. Tests pass a fake Mailer.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config.h"

namespace shopbox {

// An address with an optional display name (any UTF-8).
struct MailAddress {
  std::string name;
  std::string address;  // local@domain, no spaces, no angle brackets
};

struct MailMessage {
  MailAddress from;
  MailAddress to;
  std::string reply_to;  // an address, or empty
  std::string subject;   // UTF-8
  std::string text;      // the plain-text part, UTF-8
  std::string html;      // the HTML part, UTF-8
  // Without angle brackets; the same for every attempt of one email, so a
  // resend is recognisably the same message.
  std::string message_id;
  int64_t date = 0;  // unix seconds
  // Extra headers (X-Shopbox-Email, List-Unsubscribe, ...), values ASCII.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The message as RFC 5322 text with CRLF line ends: multipart/alternative
// (text, then HTML), both parts quoted-printable UTF-8; non-ASCII subjects
// and names as RFC 2047 encoded words. 400 when any header value holds CR,
// LF or NUL (header injection) or an address is malformed.
Result<std::string> build_mime(const MailMessage& m);
// "Shop Name <shop@example.com>" or "shop@example.com" into its parts.
Result<MailAddress> parse_mail_address(const std::string& text);
// RFC 5322 date ("Tue, 09 Feb 2026 10:30:00 +0000").
std::string rfc5322_date(int64_t unix_seconds);

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Ok once the server accepted the message (250 after DATA). A failure's
  // code says whether retrying can help: "smtp_rejected" (a 5xx answer) is
  // permanent, anything else is worth retrying.
  virtual Status send(const MailMessage& m) = 0;
};

// SMTP through libcurl: smtp:// with STARTTLS when the server offers it
// (required when a username is set, so a password never crosses in the
// clear), smtps:// (TLS from the start), AUTH with smtp_username /
// smtp_password, connect and total timeouts. One connection is kept and
// reused between sends (calls are serialised).
class SmtpMailer : public Mailer {
 public:
  explicit SmtpMailer(const Config& config);
  ~SmtpMailer() override;
  Status send(const MailMessage& m) override;

 private:
  const Config& config_;
  std::mutex mu_;
  void* curl_ = nullptr;  // CURL*, kept for connection reuse
};

}  // namespace shopbox
