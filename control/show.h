/*
 * Renders the guide's show commands from the daemon's state, byte for byte in
 * the layout operators already parse with their CUBE scripts.
 */
#ifndef SIPKTLS_SHOW_H
#define SIPKTLS_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon.h"

void	show_connections(const struct sipktlsd *, FILE *, bool detail);
int	show_profiles(const struct config *, unsigned tag, FILE *);
void	show_version(FILE *);

#endif
