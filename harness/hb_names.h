/* hb_names: function names as the programmer wrote them. */
#ifndef HB_NAMES_H
#define HB_NAMES_H

/* Cuts the suffix GCC gives the copies of a function it specialises or
 * splits ("sum.constprop.0", "parse.isra.0", "f.part.0", "g.cold"), so
 * reports name the function in the source. */
void hb_name_without_clone_suffix(char *name);

#endif
