// Parley: see parley_x11_background.c.

#include <stdint.h>

typedef struct parleyBackground
{
    struct xcb_connection_t* connection;
    uint32_t pixmap;
    uint32_t visual;
    int depth;
} parleyBackground;

parleyBackground* parleyMakeBackground(unsigned char* rgba, int width, int height,
                                       unsigned int r, unsigned int g, unsigned int b);
void parleyFreeBackground(parleyBackground* background);
