"""Talking to the SMTP server: the connection's security, and what a failure means for the message.

``COMMUNITY_SMTP_SECURITY`` chooses how the connection is protected; the server's certificate is always checked
(``ssl.create_default_context()``: a trusted chain and the host name), against ``COMMUNITY_SMTP_CA_FILE``
when set (a private CA) or the system's CAs otherwise:

- ``tls``: implicit TLS from the first byte (SMTPS, ``SMTP_SSL``), the usual thing on port 465;
- ``starttls``: plain connection upgraded by STARTTLS, which the server must offer (else nothing is sent);
- ``none``: no encryption at all, for a relay on the same machine or a trusted network; refused when a
  username is set, since the password would cross the network in clear;
- ``auto`` (the default): ``tls`` on port 465; elsewhere STARTTLS when the server offers it. A server that
  doesn't offer it gets the mail in clear only when no username is set (with a warning in the log); with a
  username nothing is sent and the message waits, so a password never goes in clear.

``classify`` sorts a failure into what the outbox does next: ``UNREACHABLE`` (the server can't be reached or
used as configured: refused or timed-out connections, TLS and sign-in failures, 421; the message waits and is
tried again for as long as it takes), ``DEFERRED`` (the server put this message off: another 4xx) and
``REFUSED`` (the server refused this message for good: 5xx).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger("community.mail")
SECURITY_CHOICES = ("auto", "tls", "starttls", "none")
UNREACHABLE, DEFERRED, REFUSED = "unreachable", "deferred", "refused"
_warned_plain: set[tuple[str, int]] = set()  # servers already warned about: once per process, not per message


class MailSecurityError(smtplib.SMTPException):
    """The settings or the server would have the mail (or the password) go unprotected: nothing was sent."""


def security_mode(config: Mapping[str, Any]) -> str:
    """``tls``, ``starttls``, ``none`` or ``auto`` (STARTTLS when offered), from the settings and the port."""
    mode = str(config.get("SMTP_SECURITY") or "auto").strip().lower()
    if mode not in SECURITY_CHOICES:
        raise MailSecurityError(f"COMMUNITY_SMTP_SECURITY is {mode!r}: it must be one of {', '.join(SECURITY_CHOICES)}")
    if mode == "auto" and int(config["SMTP_PORT"]) == 465:
        return "tls"
    return mode


def tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    """Certificate and host name checked; against ``SMTP_CA_FILE`` alone when set, the system's CAs otherwise."""
    return ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)


def send_by_smtp(mail: EmailMessage, config: Mapping[str, Any]) -> None:
    """Send one message through ``SMTP_HOST`` with the security the settings ask for (raises on any failure)."""
    host, port = str(config["SMTP_HOST"]), int(config["SMTP_PORT"])
    mode = security_mode(config)
    username = config.get("SMTP_USERNAME")
    if mode == "none" and username:
        raise MailSecurityError("COMMUNITY_SMTP_SECURITY=none with COMMUNITY_SMTP_USERNAME set would send the "
                                "password in clear: use tls or starttls, or drop the username")  # fmt: skip
    timeout = float(config.get("SMTP_TIMEOUT") or 30)
    if mode == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(config))
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if mode in ("auto", "starttls"):
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=tls_context(config))  # checks the certificate against ``host``
                smtp.ehlo()
            elif mode == "starttls":
                raise MailSecurityError(f"{host}:{port} offers no STARTTLS, which COMMUNITY_SMTP_SECURITY=starttls "
                                        "requires: nothing was sent")  # fmt: skip
            elif username:
                raise MailSecurityError(f"{host}:{port} offers no STARTTLS: the password is not sent in clear (use "
                                        "COMMUNITY_SMTP_SECURITY=tls if the server speaks TLS on connect)")  # fmt: skip
            elif (host, port) not in _warned_plain:
                _warned_plain.add((host, port))
                log.warning("%s:%s offers no STARTTLS: mail goes to it unencrypted (set COMMUNITY_SMTP_SECURITY=none "
                            "to say that is intended, or starttls to refuse)", host, port)  # fmt: skip
        if username:
            smtp.login(str(username), str(config.get("SMTP_PASSWORD") or ""))
        smtp.send_message(mail)


def classify(error: BaseException) -> str:
    """What a failure to send means: ``UNREACHABLE``, ``DEFERRED`` (4xx for this message) or ``REFUSED`` (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        codes = [error.smtp_code]
    elif isinstance(error, OSError):  # connections, timeouts, TLS, sign-in, greetings: smtplib's errors are OSErrors
        return UNREACHABLE
    else:
        return DEFERRED  # anything else (a message that won't build, say): counted, so it can't retry for ever
    if 421 in codes:  # "service not available, closing": the server, not this message
        return UNREACHABLE
    return REFUSED if codes and all(code >= 500 for code in codes) else DEFERRED
