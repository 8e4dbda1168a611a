#ifndef COMMON_KINDS_H
#define COMMON_KINDS_H

/* The finding kinds and rule ids code depends on (the rules may name
 * others: code never looks at those). String literals, so they join SQL
 * text: "rule = '" RULE_STALL_GAP "'". */

/* the gap detector's rule (rules/stall.h): kinds stall, restart, idle */
#define RULE_STALL_GAP		"stall.gap"
/* a stall still under way, as watch shows it (never stored) */
#define RULE_STALL_IN_PROGRESS	"stall.in_progress"

#define KIND_STALL		"stall"		/* the loop was blocked */
#define KIND_SLOW_CALLBACK	"slow_callback"	/* blocked, under --stall-min */
#define KIND_RESTART		"restart"	/* a gap across a restart */
#define KIND_IDLE		"idle"		/* a gap in a quiet stream */

#endif
