"""Monthly repair batches (docs/rules.md §7.2): the distributor sends its faulty boards, head office
inspects, repairs, notifies the fees and ships them back; finance books the fees."""
