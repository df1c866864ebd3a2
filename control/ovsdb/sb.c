/* SPDX-License-Identifier: Apache-2.0 */
#include "control/ovsdb/sb.h"

#define SB_COL_SPEC_(T, ID, NAME, REQ) [SB_##T##_##ID] = {NAME, REQ},
#define SB_COLS_ARRAY_(ID, NAME, REQ, COLS) \
	static const struct ovsdb_col_spec sb_cols_##ID[] = {COLS(SB_COL_SPEC_)};
SB_TABLES(SB_COLS_ARRAY_)

#define SB_TABLE_SPEC_(ID, NAME, REQ, COLS) [SB_T_##ID] = {NAME, REQ, sb_cols_##ID, SB_##ID##__N},
static const struct ovsdb_table_spec sb_tables[] = {SB_TABLES(SB_TABLE_SPEC_)};

const struct ovsdb_db_spec sb_db_spec = {
        .name = "OVN_Southbound",
        .tables = sb_tables,
        .n_tables = SB_T__N,
};
