/* qrsvg.c: QR modules to SVG path commands (see qrsvg.h). */
#include "core/qrsvg.h"

#include <qrencode.h>
#include <stdlib.h>

#include "core/buf.h"

char *qrsvg_encode(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (qr == NULL)
        return NULL;
    int w = qr->width, size = w + 8;
    struct buf b = BUF_INIT(1 << 20);
    buf_addf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                 "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                 "<path fill=\"#000\" d=\"", size, size, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                buf_addf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
    buf_adds(&b, "\"/></svg>");
    QRcode_free(qr);
    if (buf_failed(&b)) {
        buf_fini(&b);
        return NULL;
    }
    return buf_take(&b);
}
