//go:build (linux && !wayland) || (freebsd && !wayland) || (netbsd && !wayland) || (openbsd && !wayland)

// Parley: a window's first frame, handed to the X server on a connection of its own (see
// SetBackgroundImage in parley_x11.go). Its own file: GLFW's X11 header declares XCB's types
// its own way.

#include <stdint.h>
#include <stdlib.h>
#include <xcb/xcb.h>

#include "parley_x11_background.h"

static int minInt(int a, int b) { return a < b ? a : b; }
static int maxInt(int a, int b) { return a > b ? a : b; }

// An opaque image (8-bit red, green, blue and alpha per pixel, rows of 4 × width bytes, which it
// overwrites with the screen's pixels) put into a pixmap on an X connection of its own, through
// XCB, which reports errors per request rather than through Xlib's process-wide handler: any
// thread can make it while the main thread makes the window. The X server tiles a window's
// background, so the pixmap reaches to the screen's edges (up to twice the image's size), the
// image in its corner and the rest in the colour r, g, b: a window manager that makes the
// window larger before mapping it shows no repeats. Returns NULL where there is no X server, or
// a visual other than 8 bits of true colour per channel.
//
parleyBackground* parleyMakeBackground(unsigned char* rgba, int width, int height,
                                       unsigned int r, unsigned int g, unsigned int b)
{
    int screenNumber = 0;
    xcb_connection_t* connection = xcb_connect(NULL, &screenNumber);
    if (xcb_connection_has_error(connection))
    {
        xcb_disconnect(connection);
        return NULL;
    }

    const xcb_setup_t* setup = xcb_get_setup(connection);
    xcb_screen_iterator_t screens = xcb_setup_roots_iterator(setup);
    for (int i = 0;  i < screenNumber && screens.rem;  i++)
        xcb_screen_next(&screens);
    xcb_screen_t* screen = screens.data;

    xcb_visualtype_t* visual = NULL;
    for (xcb_depth_iterator_t depths = xcb_screen_allowed_depths_iterator(screen);
         depths.rem && !visual;  xcb_depth_next(&depths))
    {
        if (depths.data->depth != screen->root_depth)
            continue;
        for (xcb_visualtype_iterator_t visuals = xcb_depth_visuals_iterator(depths.data);
             visuals.rem;  xcb_visualtype_next(&visuals))
        {
            if (visuals.data->visual_id == screen->root_visual)
            {
                visual = visuals.data;
                break;
            }
        }
    }
    int bitsPerPixel = 0;
    for (xcb_format_iterator_t formats = xcb_setup_pixmap_formats_iterator(setup);
         formats.rem;  xcb_format_next(&formats))
    {
        if (formats.data->depth == screen->root_depth)
            bitsPerPixel = formats.data->bits_per_pixel;
    }

    const uint32_t masks[3] = { visual ? visual->red_mask : 0,
                                visual ? visual->green_mask : 0,
                                visual ? visual->blue_mask : 0 };
    int shifts[3];
    int usable = visual && visual->_class == XCB_VISUAL_CLASS_TRUE_COLOR && bitsPerPixel == 32 &&
                 (screen->root_depth == 24 || screen->root_depth == 32) && width > 0 && height > 0;
    for (int i = 0;  i < 3 && usable;  i++)
    {
        uint32_t mask = masks[i];
        int shift = 0, bits = 0;
        while (mask && !(mask & 1)) { mask >>= 1; shift++; }
        while (mask & 1) { mask >>= 1; bits++; }
        usable = bits == 8;
        shifts[i] = shift;
    }
    if (!usable)
    {
        xcb_disconnect(connection);
        return NULL;
    }

    // A depth-32 visual has alpha in the bits no colour uses: opaque
    uint32_t opaque = 0;
    if (screen->root_depth == 32)
        opaque = 0xffffffffu & ~(masks[0] | masks[1] | masks[2]);
    const int swap = (setup->image_byte_order == XCB_IMAGE_ORDER_MSB_FIRST) ==
                     (*(const unsigned char*) &(uint32_t){1} == 1);
    // In place: each pixel is read before it is written
    uint32_t* pixels = (uint32_t*) rgba;
    const size_t count = (size_t) width * height;
    for (size_t i = 0;  i < count;  i++)
    {
        const unsigned char* in = rgba + i * 4;
        const uint32_t pixel = opaque | ((uint32_t) in[0] << shifts[0]) |
                               ((uint32_t) in[1] << shifts[1]) | ((uint32_t) in[2] << shifts[2]);
        pixels[i] = swap ? __builtin_bswap32(pixel) : pixel;
    }

    const uint16_t pixmapWidth = (uint16_t) minInt(minInt(maxInt(width, screen->width_in_pixels), 2 * width), 32767);
    const uint16_t pixmapHeight = (uint16_t) minInt(minInt(maxInt(height, screen->height_in_pixels), 2 * height), 32767);
    const xcb_pixmap_t pixmap = xcb_generate_id(connection);
    const xcb_void_cookie_t made = xcb_create_pixmap_checked(connection, screen->root_depth, pixmap,
                                                             screen->root, pixmapWidth, pixmapHeight);
    const xcb_gcontext_t gc = xcb_generate_id(connection);
    const uint32_t fill = opaque | (r << shifts[0]) | (g << shifts[1]) | (b << shifts[2]);
    xcb_create_gc(connection, gc, pixmap, XCB_GC_FOREGROUND, &fill);
    if (pixmapWidth > width || pixmapHeight > height)
    {
        const xcb_rectangle_t all = { 0, 0, pixmapWidth, pixmapHeight };
        xcb_poly_fill_rectangle(connection, pixmap, gc, 1, &all);
    }
    // In strips that each fit in one request
    const size_t maxRequest = (size_t) xcb_get_maximum_request_length(connection) * 4;
    const int rowsPerRequest = maxInt(1, (int) ((maxRequest - 64) / ((size_t) width * 4)));
    xcb_void_cookie_t put = made;
    for (int y = 0;  y < height;  y += rowsPerRequest)
    {
        const int rows = minInt(rowsPerRequest, height - y);
        put = xcb_put_image_checked(connection, XCB_IMAGE_FORMAT_Z_PIXMAP, pixmap, gc,
                                    (uint16_t) width, (uint16_t) rows, 0, (int16_t) y, 0,
                                    screen->root_depth, (uint32_t) rows * width * 4,
                                    (const uint8_t*) (pixels + (size_t) y * width));
        if (y + rows < height)
            xcb_discard_reply(connection, put.sequence);
    }
    xcb_free_gc(connection, gc);

    // Both checks wait for the server: the pixmap is whole before another connection uses it
    xcb_generic_error_t* error = xcb_request_check(connection, made);
    if (!error)
        error = xcb_request_check(connection, put);
    if (error)
    {
        free(error);
        xcb_disconnect(connection);
        return NULL;
    }

    parleyBackground* background = calloc(1, sizeof(parleyBackground));
    background->connection = connection;
    background->pixmap = pixmap;
    background->depth = screen->root_depth;
    background->visual = screen->root_visual;
    return background;
}

// Lets the background go. A window whose background it is keeps it until it is given another.
//
void parleyFreeBackground(parleyBackground* background)
{
    if (!background)
        return;
    xcb_free_pixmap(background->connection, background->pixmap);
    xcb_disconnect(background->connection);
    free(background);
}
