#include "email/mailer.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>

#include "base/crypto.h"
#include "base/text.h"

namespace shopbox {

namespace {

bool mime_has_line_break(const std::string& v) {
  return v.find_first_of(std::string("\r\n\0", 3)) != std::string::npos;
}

bool mime_is_plain_ascii(const std::string& v) {
  for (unsigned char ch : v)
    if (ch < 0x20 || ch > 0x7e) return false;
  return v.find("=?") == std::string::npos;
}

std::string mime_base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(abc[(n >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += {abc[(n >> 18) & 63], abc[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {abc[(n >> 18) & 63], abc[(n >> 12) & 63], abc[(n >> 6) & 63], '='};
  }
  return out;
}

// RFC 2047 encoded words (B encoding), each under 75 characters, never
// splitting a UTF-8 sequence; words are joined by folding whitespace.
std::string mime_encoded_words(const std::string& v) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    size_t end = std::min(v.size(), i + 45);
    while (end < v.size() && end > i && (uint8_t(v[end]) & 0xC0) == 0x80) --end;
    if (end == i) end = std::min(v.size(), i + 45);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + mime_base64(v.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string mime_header_text(const std::string& v) {
  return mime_is_plain_ascii(v) ? v : mime_encoded_words(v);
}

std::string mime_display_name(const std::string& name) {
  if (!mime_is_plain_ascii(name)) return mime_encoded_words(name);
  // A quoted string: specials such as ',' or '<' in a name stay text.
  std::string q = "\"";
  for (char ch : name) {
    if (ch == '"' || ch == '\\') q.push_back('\\');
    q.push_back(ch);
  }
  return q + "\"";
}

bool mime_valid_address(const std::string& a) {
  auto at = a.find('@');
  if (a.empty() || a.size() > 254 || at == std::string::npos || at == 0 || at + 1 == a.size()) return false;
  for (unsigned char ch : a)
    if (ch <= 0x20 || ch >= 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == '"' || ch == '(' || ch == ')' ||
        ch == ';' || ch == '\\')
      return false;
  return true;
}

std::string mime_mailbox(const MailAddress& a) {
  return a.name.empty() ? a.address : mime_display_name(a.name) + " <" + a.address + ">";
}

// Quoted-printable (RFC 2045) with CRLF line ends: lines of at most 76
// characters, '=' and bytes outside printable ASCII encoded, trailing
// spaces encoded, and a '.' opening a line encoded too so no SMTP
// dot-stuffing is ever needed.
std::string mime_quoted_printable(const std::string& in) {
  static const char* hex = "0123456789ABCDEF";
  std::string out, line;
  auto flush_line = [&](bool hard) {
    if (hard && !line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      unsigned char ch = static_cast<unsigned char>(line.back());
      line.pop_back();
      line += {'=', hex[ch >> 4], hex[ch & 15]};
    }
    out += line;
    out += hard ? "\r\n" : "=\r\n";
    line.clear();
  };
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(in[i]);
    if (ch == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    if (ch == '\n' || ch == '\r') {
      flush_line(true);
      continue;
    }
    std::string piece;
    bool literal = (ch >= 33 && ch <= 126 && ch != '=') || ch == ' ' || ch == '\t';
    if (ch == '.' && line.empty()) literal = false;
    if (literal)
      piece.push_back(static_cast<char>(ch));
    else
      piece = {'=', hex[ch >> 4], hex[ch & 15]};
    if (line.size() + piece.size() > 75) flush_line(false);
    if (ch == '.' && line.empty()) piece = "=2E";
    line += piece;
  }
  if (!line.empty()) flush_line(true);
  return out;
}

Status mime_check_header(const std::string& name, const std::string& value) {
  if (mime_has_line_break(value) || mime_has_line_break(name))
    return Status::Invalid("a line break in the " + name + " header is refused (header injection)", {{"header", name}});
  return Status::Ok();
}

}  // namespace

std::string rfc5322_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

Result<MailAddress> parse_mail_address(const std::string& text) {
  std::string t = trim(text);
  MailAddress a;
  auto lt = t.rfind('<');
  if (lt != std::string::npos && !t.empty() && t.back() == '>') {
    a.address = trim(t.substr(lt + 1, t.size() - lt - 2));
    a.name = trim(t.substr(0, lt));
    if (a.name.size() >= 2 && a.name.front() == '"' && a.name.back() == '"')
      a.name = a.name.substr(1, a.name.size() - 2);
  } else {
    a.address = t;
  }
  if (!mime_valid_address(a.address) || mime_has_line_break(a.name))
    return Status::Invalid("not an email address: " + text.substr(0, 100));
  return a;
}

Result<std::string> build_mime(const MailMessage& m) {
  for (const MailAddress* a : {&m.from, &m.to})
    if (!mime_valid_address(a->address)) return Status::Invalid("not an email address: " + a->address.substr(0, 100));
  if (!m.reply_to.empty() && !mime_valid_address(m.reply_to))
    return Status::Invalid("not an email address: " + m.reply_to.substr(0, 100));
  std::vector<std::pair<std::string, std::string>> checked = {
      {"From", m.from.name}, {"To", m.to.name}, {"Subject", m.subject}, {"Message-ID", m.message_id}};
  checked.insert(checked.end(), m.headers.begin(), m.headers.end());
  for (const auto& h : checked)
    if (Status st = mime_check_header(h.first, h.second); !st.ok()) return st;
  for (const auto& h : m.headers)
    if (!mime_is_plain_ascii(h.first + h.second) || h.first.find(':') != std::string::npos)
      return Status::Invalid("header " + h.first.substr(0, 50) + " must be printable ASCII");
  // The boundary starts with "=_": quoted-printable text never holds "=_".
  std::string boundary = "=_shopbox_" + sha256_hex(m.message_id).substr(0, 24);
  std::string out;
  auto header = [&](const std::string& name, const std::string& value) { out += name + ": " + value + "\r\n"; };
  header("Date", rfc5322_date(m.date));
  header("From", mime_mailbox(m.from));
  header("To", mime_mailbox(m.to));
  if (!m.reply_to.empty()) header("Reply-To", m.reply_to);
  header("Subject", mime_header_text(m.subject));
  header("Message-ID", "<" + m.message_id + ">");
  header("MIME-Version", "1.0");
  for (const auto& h : m.headers) header(h.first, h.second);
  header("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += "\r\n";
  auto part = [&](const char* type, const std::string& body) {
    out += "--" + boundary + "\r\n";
    out += std::string("Content-Type: ") + type + "; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += mime_quoted_printable(body);
  };
  part("text/plain", m.text);
  part("text/html", m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

// ---- SMTP over libcurl ----

namespace {

struct SmtpUpload {
  const std::string* data;
  size_t offset = 0;
};

size_t smtp_read(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<SmtpUpload*>(user);
  size_t room = size * n;
  size_t left = up->data->size() - up->offset;
  size_t take = std::min(room, left);
  std::memcpy(buf, up->data->data() + up->offset, take);
  up->offset += take;
  return take;
}

}  // namespace

SmtpMailer::SmtpMailer(const Config& config) : config_(config) {}

SmtpMailer::~SmtpMailer() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Status SmtpMailer::send(const MailMessage& m) {
  if (config_.smtp_url.empty()) return Status(Kind::unavailable, "smtp_not_configured", "email.smtp_url is not set");
  auto mime = build_mime(m);
  if (!mime.ok()) return mime.status();
  std::lock_guard lock(mu_);
  // One handle kept between sends: libcurl keeps the connection open, so
  // no QUIT round trip sits between the server's 250 and recording "sent".
  if (!curl_) curl_ = curl_easy_init();
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) return Status(Kind::unavailable, "smtp_failed", "cannot start libcurl");
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = {0};
  SmtpUpload up{&*mime};
  std::string from = "<" + m.from.address + ">", to = "<" + m.to.address + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  bool credentials = !config_.smtp_username.empty();
  curl_easy_setopt(curl, CURLOPT_URL, config_.smtp_url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(credentials ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (credentials) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, config_.smtp_username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.smtp_password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime->size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  if (rc == CURLE_OK) return Status::Ok();
  std::string why = error[0] ? error : curl_easy_strerror(rc);
  if (code) why += " (SMTP " + std::to_string(code) + ")";
  // The server said no for good (unknown mailbox, policy): retrying the
  // same message cannot help. Anything else (refused, timeout, 4xx) can.
  bool permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
  return Status(Kind::unavailable, permanent ? "smtp_rejected" : "smtp_failed", why);
}

}  // namespace shopbox
