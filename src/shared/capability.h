/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether this process has a capability in its effective set. */
#pragma once

#include <stdbool.h>

/* cap is a CAP_* number; true also when the kernel cannot be asked (the request's own error
 * then says what is wrong). */
bool capability_effective(int cap);
