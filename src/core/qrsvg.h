/* qrsvg.h: a QR code (libqrencode) as a small SVG document, for MFA enrolment (the otpauth
 * URI) and later meeting check-in. One <path> of unit squares, 4-module quiet zone, error
 * correction M. Threads: safe. */
#ifndef DJ_QRSVG_H
#define DJ_QRSVG_H

/* Caller frees; NULL when text cannot be encoded (too long). */
char *qrsvg_encode(const char *text);

#endif
