/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What brnet_check() compares, for the library's other parts. */
#pragma once

#include "lib/record.h"

/* How many of check's problems the attachment's own elements have (published ports,
 * anti-spoofing, egress policy: missing, elsewhere, or extra), asked of the kernel now; a
 * question that cannot be asked counts as one. 0: all as recorded. */
int check_elements_problems(const struct brnet_attachment *a);
